// The network page: sponsors, agents and targets linked to incidents, drawn with the vendored cytoscape.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") { return; }
  var COLORS = { sponsor: "#b35806", agent: "#c51b7d", target: "#2166ac" };

  function elements(data) {
    var nodes = data.nodes.map(function (n) {
      return { data: { id: n.id, label: n.label, kind: n.kind, type: n.type || "" } };
    });
    var edges = data.edges.map(function (e) {
      return { data: { id: e.id, source: e.source, target: e.target, role: e.role } };
    });
    return nodes.concat(edges);
  }

  function style() {
    return [
      { selector: "node", style: { "label": "data(label)", "font-size": 9, "text-wrap": "ellipsis",
        "text-max-width": 120, "background-color": "#666", "width": 14, "height": 14 } },
      { selector: "node[kind = 'incident']", style: { "shape": "round-rectangle", "background-color": "#222",
        "width": 18, "height": 18 } },
      { selector: "node[type = 'STATE'], node[type = 'ORG']", style: { "shape": "diamond" } },
      { selector: "edge", style: { "width": 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle",
        "line-color": "#999", "target-arrow-color": "#999" } },
      { selector: "edge[role = 'sponsor']", style: { "line-color": COLORS.sponsor, "target-arrow-color": COLORS.sponsor } },
      { selector: "edge[role = 'agent']", style: { "line-color": COLORS.agent, "target-arrow-color": COLORS.agent } },
      { selector: "edge[role = 'target']", style: { "line-color": COLORS.target, "target-arrow-color": COLORS.target } }
    ];
  }

  function draw(data) {
    var cy = cytoscape({ container: box, elements: elements(data), style: style(),
      layout: { name: "cose", animate: false, randomize: false }, maxZoom: 1.5, minZoom: 0.1,
      wheelSensitivity: 0.3 });
    cy.on("tap", "node", function (event) {
      var node = event.target.data();
      var base = node.kind === "incident" ? "/incidents/" : "/entities/";
      window.location.href = base + encodeURIComponent(node.id);
    });
    box.dataset.ready = String(cy.nodes().length);
  }

  fetch(box.dataset.source, { credentials: "omit" })
    .then(function (response) { return response.json(); })
    .then(function (data) { if (data.ok) { draw(data); } });
})();
