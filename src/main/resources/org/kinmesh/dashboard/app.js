// The kinmesh node dashboard: renders the snapshots of /dashboard/events (docs/node.md, "Dashboard").
// Text goes in through textContent only: peers' data never becomes markup.
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);

  function el(ns, name, attrs, text) {
    const e = ns ? document.createElementNS(ns, name) : document.createElement(name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function short(hex) { return hex ? hex.substring(0, 12) : ""; }
  function when(secs) { return secs ? new Date(secs * 1000).toLocaleTimeString() : ""; }
  function pathClass(path) { return path.startsWith("direct") ? "direct" : path === "relayed" ? "relayed" : "down"; }

  function renderMap(s) {
    const svg = $("map");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const cx = 320, cy = 210, r = 150;
    const others = s.nodes.filter((n) => !n.self);
    const pos = {};
    pos[s.self] = [cx, cy];
    others.forEach((n, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, others.length);
      pos[n.key] = [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    });
    const edges = el(SVG, "g", { id: "edges" });
    for (const e of s.edges) {
      const [x1, y1] = pos[e.from], [x2, y2] = pos[e.to];
      edges.appendChild(el(SVG, "line", { class: "edge " + pathClass(e.path), x1, y1, x2, y2,
        "data-from": e.from, "data-to": e.to, "data-path": e.path }));
      const label = e.path + (e.rtt_ms !== null && e.rtt_ms !== undefined ? " · " + e.rtt_ms + " ms" : "");
      const t = el(SVG, "text", { class: "rtt", x: (x1 + x2) / 2 + 6, y: (y1 + y2) / 2 - 6, "data-to": e.to }, label);
      if (e.why) t.appendChild(el(SVG, "title", {}, e.why));
      edges.appendChild(t);
    }
    svg.appendChild(edges);
    const linked = new Set(s.edges.filter((e) => e.path !== "down").map((e) => e.to));
    for (const n of s.nodes) {
      const [x, y] = pos[n.key];
      const g = el(SVG, "g", { class: "node" + (n.self ? " self" : linked.has(n.key) ? "" : " unreached"),
        "data-key": n.key, "data-label": n.label });
      g.appendChild(el(SVG, "circle", { cx: x, cy: y, r: 16 }));
      g.appendChild(el(SVG, "text", { x: x + 20, y: y + 5 }, n.label + (n.self ? " (this node)" : "")));
      g.appendChild(el(SVG, "title", {}, n.key + " · " + n.status));
      svg.appendChild(g);
    }
  }

  function fill(tableId, rows) {
    const body = $(tableId).tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    for (const cells of rows) {
      const tr = el(null, "tr");
      for (const [text, mono] of cells) tr.appendChild(el(null, "td", mono ? { class: "mono" } : {}, text));
      body.appendChild(tr);
    }
  }

  function render(s) {
    $("chain-id").textContent = s.chain.blockchain_id;
    $("height").textContent = s.chain.height;
    const age = Math.max(0, Math.round(s.now / 1000 - s.chain.head_time));
    $("head-age").textContent = "head " + short(s.chain.head_hash) + ", " + age + " s old";
    const q = s.quorum;
    const mode = $("quorum-mode");
    mode.textContent = q ? q.mode : "not running";
    mode.className = "v mode-" + (q ? q.mode : "unknown");
    $("quorum-detail").textContent = q ? q.responding + " of " + q.authorized + " responding, " + q.threshold
      + " needed" + (q.self_voting ? "" : "; this node does not vote") : "consensus does not answer";
    const me = s.nodes.find((n) => n.self);
    $("self-label").textContent = me ? me.label : short(s.self);
    $("self-role").textContent = q ? q.role + " in view " + q.view + (q.in_view_change ? " (view change)" : "") : "";
    renderMap(s);
    fill("blocks", s.blocks.map((b) => [[b.height], [short(b.hash), true], [b.proposer_label], [b.transactions],
      [when(b.timestamp)]]));
    $("admin-note").textContent = s.admin_hidden || "";
    fill("approvals", (s.approvals || []).map((p) => [[short(p.resource_id), true], [p.type], [short(p.proposer), true],
      [p.approvals + " of " + p.needed], [when(p.expires_at)]]));
    fill("audit", (s.audit || []).map((a) => [[a.height], [when(a.timestamp)], [short(a.actor), true], [a.action],
      [short(a.target), true], [a.reason]]));
    document.body.setAttribute("data-height", s.chain.height);
  }

  function connect() {
    const live = $("live");
    const source = new EventSource("/dashboard/events");
    source.addEventListener("snapshot", (ev) => {
      live.textContent = "live";
      live.className = "live on";
      render(JSON.parse(ev.data));
    });
    // EventSource reconnects by itself (retry: 2000 from the node); say so meanwhile.
    source.onerror = () => {
      live.textContent = "reconnecting…";
      live.className = "live off";
    };
  }

  document.addEventListener("DOMContentLoaded", connect);
})();
