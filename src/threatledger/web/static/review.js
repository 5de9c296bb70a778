// Review actions (confirm, reject, correct) on the incident page. The token stays in this tab's
// sessionStorage and goes only to this server, in the Authorization header. No text from the server
// is ever put into markup: results are shown with textContent.
(function () {
  "use strict";
  var KEY = "threatledger-token";
  var tokenInput = document.getElementById("review-token");
  if (tokenInput) {
    tokenInput.value = sessionStorage.getItem(KEY) || "";
    tokenInput.addEventListener("change", function () {
      sessionStorage.setItem(KEY, tokenInput.value.trim());
    });
  }

  function token() {
    return tokenInput ? tokenInput.value.trim() : "";
  }

  function show(box, text, ok) {
    var out = box.querySelector(".review-result");
    if (!out) { return; }
    out.textContent = text;
    out.className = "review-result " + (ok ? "ok" : "failed");
  }

  function body(box, action) {
    var data = { reason: box.querySelector(".review-reason").value.trim(), author: "web" };
    if (action === "correct") {
      data.field = box.querySelector(".review-field").value;
      data.value = box.querySelector(".review-value").value;
    }
    return data;
  }

  function send(box, action) {
    var data = body(box, action);
    if (!data.reason) { show(box, "Give a reason first.", false); return; }
    if (!token()) { show(box, "Enter the reviewer token at the top of the page.", false); return; }
    var url = "/api/events/" + encodeURIComponent(box.dataset.eventId) + "/" + action;
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token() },
      body: JSON.stringify(data),
      credentials: "omit"
    }).then(function (response) {
      return response.json().then(function (json) {
        if (json.ok) {
          show(box, "Recorded: " + action + ". Reloading…", true);
          window.setTimeout(function () { window.location.reload(); }, 600);
        } else {
          show(box, "Error [" + json.code + "]: " + json.error, false);
        }
      });
    }).catch(function (error) { show(box, "Failed: " + error, false); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".review button[data-action]");
    if (button) { send(button.closest(".review"), button.dataset.action); }
  });
})();
