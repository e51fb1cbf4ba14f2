/* Rasid maps: Leaflet over offline country outlines (Natural Earth via world-atlas), no tile server.
   Each <div class="map" data-points='[...]'> becomes a map of its points: a circle per place (or per
   event on a story's map) sized by its count and coloured by event type, a legend, name labels on the
   biggest places and, on maps of many places, nearby circles gathered into one until the reader zooms in. */
(function () {
  // event type -> colour, from events/data/event_types.yaml (base.html sets it before this file)
  var COLOURS = window.RASID_COLOURS || {};
  var CLUSTER_MIN = 30;  // maps with more located points than this gather nearby ones
  var CLUSTER_PX = 24;   // points closer than this (in pixels, at the current zoom) plus the radius of the
                         // bigger one's circle are drawn as one
  var LABELS = 8;        // the biggest places carry their name
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function count(p) { return p.reports || 1; }
  function radius(n) { return Math.min(30, 5 + 2.4 * Math.sqrt(Math.max(0, n - 1))); }  // area grows with n
  function colour(t) { return COLOURS[t] || "#999"; }

  // -- outlines: a ring that crosses the antimeridian (Russia's, Fiji's) jumps from +180 to -180 and
  // would be drawn as a band across the whole world; it is unwrapped (longitudes made continuous),
  // then cut at ±180 into the part on each side. A ring around a pole (Antarctica's) cannot be
  // unwrapped into a closed ring; it is left out, and Antarctica with it (no news happens there).
  function crosses(ring) {
    for (var i = 1; i < ring.length; i++) { if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) { return true; } }
    return false;
  }
  function unwrap(ring) {
    var out = [], shift = 0;
    ring.forEach(function (p, i) {
      if (i > 0) {
        var d = p[0] + shift - out[i - 1][0];
        if (d > 180) { shift -= 360; } else if (d < -180) { shift += 360; }
      }
      out.push([p[0] + shift, p[1]]);
    });
    return out;
  }
  function clipX(ring, x, keepBelow) {  // Sutherland-Hodgman against the line lon = x
    var pts = ring.slice(0, -1), out = [];
    function inside(p) { return keepBelow ? p[0] <= x : p[0] >= x; }
    function cut(a, b) { return [x, a[1] + (x - a[0]) * (b[1] - a[1]) / (b[0] - a[0])]; }
    pts.forEach(function (cur, i) {
      var prev = pts[(i + pts.length - 1) % pts.length];
      if (inside(cur)) {
        if (!inside(prev)) { out.push(cut(prev, cur)); }
        out.push(cur);
      } else if (inside(prev)) {
        out.push(cut(prev, cur));
      }
    });
    if (out.length) { out.push(out[0].slice()); }
    return out.length >= 4 ? out : [];
  }
  function splitPolygon(rings) {
    if (!rings.some(crosses)) { return [rings]; }
    var un = rings.map(unwrap);
    var open = un.some(function (r) { return Math.abs(r[0][0] - r[r.length - 1][0]) > 1e-6; });
    if (open) { return []; }  // around a pole
    var out = [];
    [0, 360, -360].forEach(function (dx) {
      var parts = un.map(function (r) {
        return clipX(clipX(r.map(function (p) { return [p[0] + dx, p[1]]; }), 180, true), -180, false);
      });
      if (parts[0].length) { out.push(parts.filter(function (r) { return r.length; })); }
    });
    return out;
  }
  function fixOutlines(collection) {
    var features = [];
    collection.features.forEach(function (f) {
      var g = f.geometry;
      if (!g || (f.properties && f.properties.name === "Antarctica")) { return; }
      var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : null;
      if (polys === null) { features.push(f); return; }
      var split = [];
      polys.forEach(function (rings) { split = split.concat(splitPolygon(rings)); });
      if (split.length) {
        features.push({type: "Feature", id: f.id, properties: f.properties,
                       geometry: {type: "MultiPolygon", coordinates: split}});
      }
    });
    return {type: "FeatureCollection", features: features};
  }

  // -- clustering: the heaviest point not yet taken starts a group and takes every free point closer than
  // `px` plus its own circle's radius (so big circles do not overlap their neighbours); a grid of cells
  // as wide as the farthest reach finds the candidates without a pass over every pair
  function cluster(items, px) {
    var order = items.slice().sort(function (a, b) { return (b.w - a.w) || (a.i - b.i); });
    var cell = px + radius(order.length ? order[0].w : 1), grid = {}, taken = {}, groups = [];
    order.forEach(function (it) {
      var k = Math.floor(it.x / cell) + ":" + Math.floor(it.y / cell);
      (grid[k] = grid[k] || []).push(it);
    });
    order.forEach(function (seed) {
      if (taken[seed.i]) { return; }
      taken[seed.i] = true;
      var reach = px + radius(seed.w), group = [seed], gx = Math.floor(seed.x / cell), gy = Math.floor(seed.y / cell);
      for (var dx = -1; dx <= 1; dx++) {
        for (var dy = -1; dy <= 1; dy++) {
          (grid[(gx + dx) + ":" + (gy + dy)] || []).forEach(function (it) {
            if (!taken[it.i] && Math.pow(it.x - seed.x, 2) + Math.pow(it.y - seed.y, 2) <= reach * reach) {
              taken[it.i] = true;
              group.push(it);
            }
          });
        }
      }
      groups.push(group);
    });
    return groups;
  }

  function centreOf(ps) {  // the count-weighted centre of a group of places
    var lat = 0, lon = 0, n = 0;
    ps.forEach(function (q) { lat += q.lat * count(q); lon += q.lon * count(q); n += count(q); });
    return [lat / n, lon / n];
  }
  function placeName(p) { return p.location_ar || p.location || ""; }
  function popup(p) {
    return "<div dir='rtl'><b>" + esc(p.location_ar || "") + "</b> " +
      "<span lang='en'>" + esc(p.location || "") + "</span></div>" +
      "<div lang='en'>" + esc(p.date || "undated") + " · " + esc(p.sub_event_type || p.event_type) + "</div>" +
      "<div lang='en' style='max-width:260px'>" + esc(p.notes_en || "") + "</div>";
  }
  // the legend goes under the map (over it, it would hide the places of a small map)
  function legend(el, located, perEvent, clustered) {
    var types = {}, top = 1;
    located.forEach(function (p) {
      (p.types && p.types.length ? p.types : [p.event_type]).forEach(function (t) { if (t) { types[t] = true; } });
      top = Math.max(top, count(p));
    });
    var sizes = [1, 10, 100, 1000].filter(function (n) { return n <= top; });
    if (top >= 2 * sizes[sizes.length - 1]) { sizes.push(top); }
    var html = "<span class='legend-head'>مفتاح الخريطة <span lang='en'>Map legend</span></span>";
    Object.keys(COLOURS).concat(Object.keys(types).filter(function (t) { return !(t in COLOURS); }))
      .forEach(function (t) {
        if (types[t]) { html += "<span lang='en'><i class='dot' style='background:" + colour(t) + "'></i>" + esc(t) + "</span>"; }
      });
    var big = radius(sizes[sizes.length - 1]);
    html += "<span class='legend-sizes' lang='en'>";
    sizes.forEach(function (n) {
      var r = radius(n);
      html += "<svg width='" + (2 * r + 2) + "' height='" + (2 * big + 2) + "' aria-hidden='true'><circle cx='" + (r + 1) +
        "' cy='" + (2 * big + 1 - r) + "' r='" + r + "' fill='#fff' stroke='#222'/></svg><b>" + n + "</b>";
    });
    html += " " + (perEvent ? "reports of the event" : "events at the place") + "</span>";
    if (clustered) { html += "<span lang='en'><b class='legend-cluster'>12</b> nearby places together; click to zoom in</span>"; }
    var box = document.createElement("div");
    box.className = "map-legend";
    box.innerHTML = html;
    el.parentNode.insertBefore(box, el.nextSibling);
  }

  function draw(el, outlines) {
    var points = JSON.parse(el.getAttribute("data-points") || "[]");
    var map = L.map(el, {attributionControl: true, zoomSnap: 0.25, worldCopyJump: false, maxZoom: 12});
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Outlines: Natural Earth");
    if (outlines) {
      L.geoJSON(outlines, {style: {color: "#8a9aa5", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1}}).addTo(map);
    }
    // a denied event is not on the map
    var located = points.filter(function (p) { return p.lat != null && p.lon != null && !p.denied; });
    var perEvent = located.some(function (p) { return p.event_id != null; });  // a story's events, not places
    var clustered = located.length > CLUSTER_MIN;
    var layer = L.featureGroup().addTo(map);
    function render() {
      layer.clearLayers();
      var z = map.getZoom();
      var items = located.map(function (p, i) {
        var at = map.project([p.lat, p.lon], z);
        return {x: at.x, y: at.y, w: count(p), i: i};
      });
      var groups = clustered ? cluster(items, CLUSTER_PX) : items.map(function (it) { return [it]; });
      var units = groups.map(function (g) {
        var ps = g.map(function (it) { return located[it.i]; });
        return {ps: ps, n: ps.reduce(function (s, p) { return s + count(p); }, 0)};
      }).sort(function (a, b) { return b.n - a.n; });
      var named = {}, placed = [];  // label boxes drawn so far: a label that would overlap one is left out
      var circles = [], tries = 0;  // nor may a label cover another circle (and few are tried)
      units.forEach(function (u) {
        var at = map.latLngToContainerPoint(u.ps.length === 1 ? [u.ps[0].lat, u.ps[0].lon] : centreOf(u.ps)),
            r = radius(u.n);
        circles.push({x0: at.x - r, x1: at.x + r, y0: at.y - r, y1: at.y + r, unit: u});
      });
      units.forEach(function (u) {
        var p = u.ps[0], m;
        if (u.ps.length === 1) {
          m = L.circleMarker([p.lat, p.lon], {radius: radius(u.n), color: "#222", weight: 1,
            fillColor: colour(p.event_type), fillOpacity: 0.85, className: "event-marker"});
          m.bindPopup(popup(p));
        } else {
          var byType = {};
          u.ps.forEach(function (q) { byType[q.event_type] = (byType[q.event_type] || 0) + count(q); });
          var main = Object.keys(byType).sort(function (a, b) { return byType[b] - byType[a]; })[0];
          var centre = centreOf(u.ps);
          m = L.circleMarker(centre, {radius: radius(u.n), color: "#123", weight: 2.5, fillColor: colour(main),
            fillOpacity: 0.8, className: "event-cluster"});
          L.marker(centre, {interactive: false, keyboard: false, icon: L.divIcon({className: "cluster-count",
            html: String(u.n), iconSize: [36, 16]})}).addTo(layer);
          var bounds = L.latLngBounds(u.ps.map(function (q) { return [q.lat, q.lon]; }));
          var list = u.ps.slice(0, 12).map(function (q) {
            return "<li>" + esc(placeName(q)) + " <span lang='en'>" + count(q) + "</span></li>"; }).join("");
          m.bindPopup("<ul dir='rtl' class='cluster-list'>" + list + "</ul>" +
            (u.ps.length > 12 ? "<div lang='en'>+" + (u.ps.length - 12) + " more places</div>" : ""));
          m.on("click", function () {
            if (bounds.getNorthEast().distanceTo(bounds.getSouthWest()) > 1 && map.getZoom() < map.getMaxZoom()) {
              m.closePopup();
              map.fitBounds(bounds.pad(0.3), {maxZoom: Math.max(map.getZoom() + 2, 6)});
            }
          });
        }
        var name = placeName(p);
        if (placed.length < LABELS && tries < 4 * LABELS && name && !named[name]) {
          tries += 1;
          var at = map.latLngToContainerPoint(m.getLatLng()), r = radius(u.n);
          var box = {x0: at.x + r, x1: at.x + r + 10 + 7.5 * name.length + (u.ps.length > 1 ? 24 : 0),
                     y0: at.y - 9, y1: at.y + 9};
          // the three biggest are named even over a neighbour's circle; none over another name
          var free = (tries <= 3 ? placed : placed.concat(circles)).every(function (b) {
            return b.unit === u || box.x1 < b.x0 || box.x0 > b.x1 || box.y1 < b.y0 || box.y0 > b.y1; });
          if (free) {
            named[name] = true;
            placed.push(box);
            m.bindTooltip("<div dir='rtl'>" + esc(name) +
              (u.ps.length > 1 ? " <bdi dir='ltr' lang='en'>+" + (u.ps.length - 1) + "</bdi>" : "") + "</div>",
              {permanent: true, direction: "right", offset: [r, 0], className: "place-label", opacity: 0.9});
          }
        }
        m.addTo(layer);
      });
      el.setAttribute("data-clusters", String(groups.filter(function (g) { return g.length > 1; }).length));
    }
    // frame the country most events are in (one stray report abroad should not zoom out to a continent)
    var counts = {}, top = null;
    located.forEach(function (p) { if (p.country) { counts[p.country] = (counts[p.country] || 0) + 1; } });
    Object.keys(counts).forEach(function (c) { if (top === null || counts[c] > counts[top]) { top = c; } });
    var focus = located;
    if (top !== null && counts[top] >= 0.6 * located.length) {
      focus = located.filter(function (p) { return p.country === top; });
    }
    if (focus.length) {
      var bounds = L.latLngBounds(focus.map(function (p) { return [p.lat, p.lon]; }));
      var wide = bounds.getEast() - bounds.getWest() > 60;  // a world of places: frame it, little margin
      map.fitBounds(bounds.pad(wide ? 0.05 : 0.8), {maxZoom: 8});
    } else {
      map.setView([27, 17], 4);
    }
    render();
    map.on("zoomend", render);
    if (located.length) { legend(el, located, perEvent, clustered); }
    el.setAttribute("data-markers", String(located.length));
  }
  function start(outlines) {
    document.querySelectorAll("div.map[data-points]").forEach(function (el) { draw(el, outlines); });
  }
  window.rasidCluster = cluster;
  window.rasidFixOutlines = fixOutlines;
  window.rasidMaps = function (topology) {
    var outlines = null;
    if (topology && window.topojson) { outlines = fixOutlines(topojson.feature(topology, topology.objects.countries)); }
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
