/* Rasid maps: Leaflet over offline country outlines (Natural Earth via world-atlas), no tile server.
   Each <div class="map" data-points='[...]'> becomes a map of its points. */
(function () {
  // event type -> colour, from events/data/event_types.yaml (base.html sets it before this file)
  var COLOURS = window.RASID_COLOURS || {};
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function draw(el, outlines) {
    var points = JSON.parse(el.getAttribute("data-points") || "[]");
    var map = L.map(el, {attributionControl: true, zoomSnap: 0.25, worldCopyJump: false});
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Outlines: Natural Earth");
    if (outlines) {
      L.geoJSON(outlines, {style: {color: "#8a9aa5", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1}}).addTo(map);
    }
    var layer = L.featureGroup().addTo(map);
    points.forEach(function (p) {
      if (p.lat == null || p.lon == null || p.denied) { return; }  // a denied event is not on the map
      var m = L.circleMarker([p.lat, p.lon], {radius: 6 + Math.min(6, 2 * ((p.reports || 1) - 1)),
        color: "#222", weight: 1, fillColor: COLOURS[p.event_type] || "#999", fillOpacity: 0.9,
        className: "event-marker"});
      m.bindPopup("<div dir='rtl'><b>" + esc(p.location_ar || "") + "</b> " +
        "<span lang='en'>" + esc(p.location || "") + "</span></div>" +
        "<div lang='en'>" + esc(p.date || "undated") + " · " + esc(p.sub_event_type || p.event_type) + "</div>" +
        "<div lang='en' style='max-width:260px'>" + esc(p.notes_en || "") + "</div>");
      m.addTo(layer);
    });
    // frame the country most events are in (one stray report abroad should not zoom out to a continent)
    var counts = {}, top = null;
    points.forEach(function (p) { if (p.lat != null && p.country) { counts[p.country] = (counts[p.country] || 0) + 1; } });
    Object.keys(counts).forEach(function (c) { if (top === null || counts[c] > counts[top]) { top = c; } });
    var located = points.filter(function (p) { return p.lat != null && p.lon != null; });
    var focus = located;
    if (top !== null && counts[top] >= 0.6 * located.length) {
      focus = located.filter(function (p) { return p.country === top; });
    }
    if (focus.length) {
      var bounds = L.latLngBounds(focus.map(function (p) { return [p.lat, p.lon]; }));
      map.fitBounds(bounds.pad(0.8), {maxZoom: 8});
    } else {
      map.setView([27, 17], 4);
    }
    el.setAttribute("data-markers", String(layer.getLayers().length));
  }
  function start(outlines) {
    document.querySelectorAll("div.map[data-points]").forEach(function (el) { draw(el, outlines); });
  }
  window.rasidMaps = function (topology) {
    var outlines = null;
    if (topology && window.topojson) { outlines = topojson.feature(topology, topology.objects.countries); }
    start(outlines);
  };
})();

/* Document page: a card's field row and the field's marked span light up together (hover or focus),
   both carry data-field="f-<role>-<start>-<end>"; a span cut in pieces has that key on every piece. */
(function () {
  function light(target, on) {
    var el = target && target.closest ? target.closest("[data-field]") : null;
    if (!el) { return; }
    var key = el.getAttribute("data-field");
    document.querySelectorAll('[data-field="' + key + '"]').forEach(function (x) {
      x.classList.toggle("hot", on);
    });
  }
  ["mouseover", "focusin"].forEach(function (t) {
    document.addEventListener(t, function (ev) { light(ev.target, true); });
  });
  ["mouseout", "focusout"].forEach(function (t) {
    document.addEventListener(t, function (ev) { light(ev.target, false); });
  });
})();
