/* claimgraph pages: statement details on hover and focus, and the corpus graph
   (Cytoscape.js) with its filters.  Everything from the data is written with
   textContent, never as HTML. */
(function () {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function readJson(node) {
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  /* ---- article view ------------------------------------------------------- */
  function showStatement(view, details, span) {
    var panel = view.querySelector(".hl-detail");
    if (!panel) return;
    panel.textContent = "";
    var sid = span.getAttribute("data-sid");
    var d = sid ? details[sid] : null;
    if (!d) {
      panel.appendChild(el("p", span.getAttribute("title") || ""));
      return;
    }
    var dl = el("dl");
    function row(label, value) {
      if (value === null || value === undefined || value === "") return;
      dl.appendChild(el("dt", label));
      dl.appendChild(el("dd", value));
    }
    row("Speaker", d.speaker || "unresolved");
    row("Source", d.source);
    row("Cue", d.cue);
    row("Content", (d.content || []).join(" … "));
    row("Kind", d.kind);
    (d.acts || []).forEach(function (a) {
      row("Speech act", (a.negated ? "not " : "") + a.act + (a.cameo ? " (" + a.cameo + ")" : ""));
      row("Targets", (a.targets || []).join(", ") || "none");
    });
    row("Evidence", (d.evidence || []).join(", ") || "none recorded");
    panel.appendChild(dl);
  }

  function setupArticles() {
    document.querySelectorAll(".article-view").forEach(function (view) {
      var dataNode = view.querySelector("script.article-data");
      var details = (dataNode && readJson(dataNode)) || {};
      function handler(event) {
        var span = event.target.closest ? event.target.closest(".hl[data-marks]") : null;
        if (span && view.contains(span)) showStatement(view, details, span);
      }
      view.addEventListener("mouseover", handler);
      view.addEventListener("focusin", handler);
    });
  }

  /* ---- corpus graph --------------------------------------------------------- */
  var EDGE_COLOURS = {
    accuse: "#c0392b", deny: "#7d3c98", support: "#27ae60", appeal: "#2471a3",
    supports: "#1e8449", denies: "#922b21", reports: "#95a5a6"
  };

  function claimMatches(claim, filters) {
    if (filters.outlet && claim.site !== filters.outlet) return false;
    if (filters.from && (!claim.date || claim.date < filters.from)) return false;
    if (filters.to && (!claim.date || claim.date > filters.to)) return false;
    return true;
  }

  function setupGraph() {
    var container = document.getElementById("graph");
    var dataNode = document.getElementById("graph-data");
    if (!container || !dataNode || typeof cytoscape !== "function") return;
    var data = readJson(dataNode) || { nodes: [], edges: [] };
    var entityBase = container.getAttribute("data-entity-base") || "";
    var articleBase = container.getAttribute("data-article-base") || "#article-";
    var started = performance.now();
    var many = data.nodes.length > 150;
    var cy = cytoscape({
      container: container,
      elements: data.nodes.concat(data.edges),
      maxZoom: 1.6, minZoom: 0.05,
      style: [
        { selector: "node", style: {
          "label": "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 140,
          "width": "mapData(count, 0, 40, 14, 60)", "height": "mapData(count, 0, 40, 14, 60)",
          "background-color": "#34495e", "color": "#1d2228" } },
        { selector: "node[kind = 'proposition']", style: {
          "shape": "round-rectangle", "background-color": "#f5b041", "text-max-width": 200 } },
        { selector: "edge", style: {
          "width": "mapData(count, 1, 20, 1, 10)", "curve-style": "bezier",
          "target-arrow-shape": "triangle", "opacity": 0.8,
          "line-color": function (e) { return EDGE_COLOURS[e.data("kind")] || "#999"; },
          "target-arrow-color": function (e) { return EDGE_COLOURS[e.data("kind")] || "#999"; } } },
        { selector: ".hidden", style: { "display": "none" } },
        { selector: ":selected", style: { "border-width": 3, "border-color": "#f1c40f" } }
      ],
      layout: many ? { name: "concentric", concentric: function (n) { return n.data("count"); },
                       levelWidth: function () { return 4; }, animate: false }
                   : { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000 }
    });
    window.claimgraphGraph = cy;
    cy.ready(function () {
      // after the first frame is painted: milliseconds since navigation, and of drawing
      requestAnimationFrame(function () {
        container.setAttribute("data-draw-ms", String(Math.round(performance.now() - started)));
        container.setAttribute("data-ready", String(Math.round(performance.now())));
      });
    });

    var detail = document.getElementById("graph-detail");
    function claimList(claims) {
      var list = el("ul");
      claims.forEach(function (c) {
        var item = el("li");
        var link = el("a", c.title || c.article_id);
        link.href = articleBase + encodeURIComponent(c.article_id) +
          (c.statement_id && articleBase.charAt(0) !== "#" ? "#statement-" + encodeURIComponent(c.statement_id) : "");
        item.appendChild(el("span", "“" + (c.text || "") + "” "));
        item.appendChild(link);
        if (c.site || c.date) item.appendChild(el("span", " " + [c.site, c.date].filter(Boolean).join(", "), "small"));
        list.appendChild(item);
      });
      return list;
    }
    cy.on("tap", "node", function (evt) {
      var n = evt.target;
      detail.textContent = "";
      var title = el("h3");
      if (n.data("kind") === "entity" && entityBase) {
        var a = el("a", n.data("label"), "entity-link");
        a.href = entityBase + encodeURIComponent(n.data("entity_id"));
        title.appendChild(a);
      } else {
        title.textContent = n.data("label");
      }
      detail.appendChild(title);
      n.connectedEdges().forEach(function (e) {
        if (e.hasClass("hidden")) return;
        detail.appendChild(el("p", e.source().data("label") + " —" + e.data("kind") + "→ " +
          e.target().data("label") + " (" + e.data("count") + ")"));
        detail.appendChild(claimList(e.data("claims")));
      });
    });
    cy.on("tap", "edge", function (evt) {
      var e = evt.target;
      detail.textContent = "";
      detail.appendChild(el("h3", e.source().data("label") + " —" + e.data("kind") + "→ " + e.target().data("label")));
      detail.appendChild(el("p", e.data("count") + " times", "small"));
      detail.appendChild(claimList(e.data("claims")));
    });

    var form = document.querySelector(".graph-filters");
    var counter = document.querySelector(".graph-count");
    function apply() {
      var filters = {
        entity: (form.elements.entity.value || "").trim().toLowerCase(),
        outlet: form.elements.outlet.value, from: form.elements.from.value, to: form.elements.to.value
      };
      cy.batch(function () {
        cy.elements().removeClass("hidden");
        var datedOrOutlet = filters.outlet || filters.from || filters.to;
        cy.edges().forEach(function (e) {
          if (datedOrOutlet && !e.data("claims").some(function (c) { return claimMatches(c, filters); }))
            e.addClass("hidden");
        });
        if (filters.entity) {
          var chosen = cy.nodes().filter(function (n) { return String(n.data("label")).toLowerCase().indexOf(filters.entity) >= 0; });
          var keep = chosen.union(chosen.connectedEdges().not(".hidden").connectedNodes());
          cy.edges().forEach(function (e) {
            if (!chosen.contains(e.source()) && !chosen.contains(e.target())) e.addClass("hidden");
          });
          cy.nodes().not(keep).addClass("hidden");
        } else if (datedOrOutlet) {
          cy.nodes().forEach(function (n) { if (n.connectedEdges().not(".hidden").empty()) n.addClass("hidden"); });
        }
      });
      if (counter) counter.textContent = cy.nodes().not(".hidden").length + " nodes, " + cy.edges().not(".hidden").length + " edges shown";
    }
    if (form) { form.addEventListener("input", apply); form.addEventListener("change", apply); }
  }

  // The graph is drawn as soon as its container and data are in the document (a report
  // places this script right after them); the article views once the page is read.
  if (document.getElementById("graph-data")) setupGraph();
  else document.addEventListener("DOMContentLoaded", setupGraph);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupArticles);
  else setupArticles();
})();
