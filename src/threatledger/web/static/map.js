// The map page: incidents by place on a world outline (d3-geo + world-atlas), offline; SVG built with DOM
// calls, names set with textContent.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof d3 === "undefined" || typeof topojson === "undefined") { return; }
  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 960, HEIGHT = 500;

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  function draw(world, data) {
    var svg = el("svg", { viewBox: "0 0 " + WIDTH + " " + HEIGHT, class: "world", role: "img",
      "aria-label": "Map of incidents" });
    var countries = topojson.feature(world, world.objects.countries);
    var projection = d3.geoEqualEarth().fitSize([WIDTH, HEIGHT], countries);
    var path = d3.geoPath(projection);
    var land = el("g", { class: "land" });
    countries.features.forEach(function (f) { land.appendChild(el("path", { d: path(f) || "" })); });
    svg.appendChild(land);
    var dots = el("g", { class: "dots" });
    data.points.forEach(function (p) { dots.appendChild(dot(projection, p)); });
    svg.appendChild(dots);
    box.appendChild(svg);
    box.dataset.ready = String(data.points.length);
  }

  function dot(projection, point) {
    var xy = projection([point.lon, point.lat]);
    var link = el("a", { href: "/incidents/" + encodeURIComponent(point.incidents[0].id) });
    var circle = el("circle", { cx: xy[0], cy: xy[1], r: 3 + Math.min(point.incidents.length, 8),
      class: "dot" });
    var title = el("title", {});
    title.textContent = point.places.join(" / ") + ": " +
      point.incidents.map(function (i) { return i.summary || i.id; }).join("; ");
    circle.appendChild(title);
    link.appendChild(circle);
    return link;
  }

  function json(url) {
    return fetch(url, { credentials: "omit" }).then(function (r) { return r.json(); });
  }

  Promise.all([json(box.dataset.world), json(box.dataset.source)])
    .then(function (both) { if (both[1].ok) { draw(both[0], both[1]); } });
})();
