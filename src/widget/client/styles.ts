/**
 * The widget's styles, scoped by its shadow root. Public knobs are CSS custom properties
 * (`--herald-*`, they inherit into the shadow tree, so a host page sets them on the element or
 * any ancestor); `::part()` names the bell, badge, panel and items for deeper changes.
 */
const WIDGET_CSS = `
:host {
  --_accent: var(--herald-accent, #4f46e5);
  --_bg: var(--herald-bg, #ffffff);
  --_fg: var(--herald-fg, #0f172a);
  --_muted: var(--herald-muted, #64748b);
  --_border: var(--herald-border, #e2e8f0);
  --_unread-bg: var(--herald-unread-bg, #f5f7ff);
  --_hover-bg: var(--herald-hover-bg, rgba(100, 116, 139, 0.1));
  --_badge-bg: var(--herald-badge-bg, #e11d48);
  --_badge-fg: var(--herald-badge-fg, #ffffff);
  --_warn-bg: var(--herald-warning-bg, #fff7ed);
  --_warn-fg: var(--herald-warning-fg, #9a3412);
  --_error-bg: var(--herald-error-bg, #fef2f2);
  --_error-fg: var(--herald-error-fg, #b91c1c);
  position: relative;
  display: inline-block;
  font: var(--herald-font, 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--_fg);
  text-align: left;
}
:host([theme="dark"]) {
  --_bg: var(--herald-bg, #0f172a);
  --_fg: var(--herald-fg, #e2e8f0);
  --_muted: var(--herald-muted, #94a3b8);
  --_border: var(--herald-border, #1e293b);
  --_unread-bg: var(--herald-unread-bg, #1e1b4b);
  --_hover-bg: var(--herald-hover-bg, rgba(148, 163, 184, 0.12));
  --_accent: var(--herald-accent, #818cf8);
  --_warn-bg: var(--herald-warning-bg, #431407);
  --_warn-fg: var(--herald-warning-fg, #fed7aa);
  --_error-bg: var(--herald-error-bg, #450a0a);
  --_error-fg: var(--herald-error-fg, #fecaca);
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
button { font: inherit; color: inherit; }
button:focus-visible, .panel:focus-visible {
  outline: 2px solid var(--_accent);
  outline-offset: 2px;
}
.panel:focus-visible { outline-offset: -2px; }
[hidden] { display: none !important; }
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.bell {
  position: relative; display: grid; place-items: center;
  width: var(--herald-bell-size, 40px); height: var(--herald-bell-size, 40px);
  padding: 0; border: 0; border-radius: 999px; background: transparent; cursor: pointer;
  color: var(--herald-bell-color, currentColor);
}
.bell:hover, .bell[aria-expanded="true"] { background: var(--_hover-bg); }
.bell svg { width: 22px; height: 22px; }
.bell.offline svg { opacity: 0.45; }
.badge {
  position: absolute; top: 3px; right: 1px; min-width: 18px; height: 18px; padding: 0 5px;
  border-radius: 9px; background: var(--_badge-bg); color: var(--_badge-fg);
  box-shadow: 0 0 0 2px var(--herald-badge-ring, var(--_bg));
  font-size: 11px; font-weight: 700; line-height: 18px; text-align: center;
  font-variant-numeric: tabular-nums;
}
.badge.bump { animation: herald-bump 0.3s ease-out; }
@keyframes herald-bump { 0% { transform: scale(0.6); } 60% { transform: scale(1.15); } }
.panel {
  position: absolute; top: calc(100% + 8px); right: 0; z-index: var(--herald-z-index, 1000);
  display: flex; flex-direction: column;
  width: min(var(--herald-panel-width, 380px), calc(100vw - 16px));
  max-height: var(--herald-panel-max-height, min(520px, calc(100vh - 96px)));
  background: var(--_bg); color: var(--_fg);
  border: 1px solid var(--_border); border-radius: var(--herald-radius, 14px);
  box-shadow: var(--herald-shadow, 0 16px 40px rgba(15, 23, 42, 0.16), 0 3px 8px rgba(15, 23, 42, 0.08));
  overflow: hidden;
}
:host([align="start"]) .panel { right: auto; left: 0; }
.panel.flip { right: auto; left: 0; }
:host([align="start"]) .panel.flip { right: 0; left: auto; }
.header {
  display: flex; align-items: center; justify-content: space-between; gap: 12px;
  padding: 14px 16px 12px; border-bottom: 1px solid var(--_border);
}
.heading { margin: 0; font-size: 16px; font-weight: 650; }
.count { color: var(--_muted); font-weight: 500; margin-left: 6px; font-size: 14px; }
.link {
  padding: 4px 8px; margin: -4px -8px -4px 0; border: 0; border-radius: 6px; background: none;
  color: var(--_accent); font-size: 13px; font-weight: 600; cursor: pointer;
}
.link:hover:not(:disabled) { background: var(--_hover-bg); }
.link:disabled { color: var(--_muted); opacity: 0.6; cursor: default; }
.banner {
  display: flex; align-items: center; justify-content: space-between; gap: 8px;
  padding: 8px 16px; background: var(--_warn-bg); color: var(--_warn-fg); font-size: 13px;
}
.banner.error { background: var(--_error-bg); color: var(--_error-fg); }
.banner .link { color: inherit; text-decoration: underline; }
.scroller { flex: 1 1 auto; overflow-y: auto; overscroll-behavior: contain; }
.list { margin: 0; padding: 0; list-style: none; }
.item { display: flex; align-items: flex-start; border-bottom: 1px solid var(--_border); }
.item.unread { background: var(--_unread-bg); }
.item.fresh { animation: herald-in 0.35s ease-out; }
@keyframes herald-in { from { opacity: 0; transform: translateY(-4px); } }
.main {
  flex: 1 1 auto; min-width: 0; display: flex; gap: 10px; padding: 12px 4px 12px 14px;
  border: 0; background: none; text-align: left; cursor: pointer;
}
.main:focus-visible { outline-offset: -2px; }
.item:hover { background: var(--_hover-bg); }
.dot { flex: none; width: 8px; height: 8px; margin-top: 7px; border-radius: 50%; }
.unread .dot { background: var(--_accent); }
.text { display: block; min-width: 0; }
.title { display: block; font-weight: 600; overflow-wrap: anywhere; }
.read .title { font-weight: 500; }
.body {
  display: -webkit-box; margin-top: 2px; color: var(--_muted); overflow: hidden;
  overflow-wrap: anywhere; -webkit-line-clamp: 3; -webkit-box-orient: vertical;
}
.from { display: block; margin-top: 4px; color: var(--_muted); font-size: 12px; overflow-wrap: anywhere; }
.time { display: block; margin-top: 4px; color: var(--_muted); font-size: 12px; }
.mark {
  flex: none; display: grid; place-items: center; width: 30px; height: 30px; margin: 9px 8px 0 0;
  padding: 0; border: 0; border-radius: 50%; background: none; color: var(--_muted); cursor: pointer;
}
.mark:hover { background: var(--_hover-bg); color: var(--_accent); }
.mark svg { width: 16px; height: 16px; }
.state { padding: 36px 20px; text-align: center; color: var(--_muted); }
.state.compact { padding: 14px 20px; }
.state svg { display: block; width: 36px; height: 36px; margin: 0 auto 10px; opacity: 0.5; }
.state .link { margin: 8px 0 0; display: inline-block; }
.sentinel { height: 1px; }
.footer {
  display: flex; align-items: center; justify-content: center; padding: 8px 16px;
  border-top: 1px solid var(--_border); font-size: 13px;
}
.footer .link { margin: 0; }
/* Inbox lifecycle: tabs, row actions, snooze presets, preferences (lifecycle-view.ts). */
.tabs {
  display: flex; align-items: center; gap: 4px; padding: 0 12px;
  border-bottom: 1px solid var(--_border);
}
.tablist { display: flex; gap: 4px; }
.tabs .archive-all { margin: 0 0 0 auto; white-space: nowrap; }
.tab {
  padding: 8px 10px; border: 0; border-bottom: 2px solid transparent; background: none;
  color: var(--_muted); font-size: 13px; font-weight: 600; cursor: pointer;
}
.tab[aria-selected="true"] { color: var(--_accent); border-bottom-color: var(--_accent); }
.tab-settings { display: grid; place-items: center; }
.tab svg { width: 16px; height: 16px; }
.item { position: relative; }
.actions { flex: none; display: flex; margin: 9px 6px 0 0; opacity: 0.55; }
.item:hover .actions, .item:focus-within .actions { opacity: 1; }
.act {
  display: grid; place-items: center; width: 28px; height: 28px; padding: 0; border: 0;
  border-radius: 50%; background: none; color: var(--_muted); cursor: pointer;
}
.act:hover { background: var(--_hover-bg); color: var(--_accent); }
.act.delete:hover { color: var(--_error-fg); }
.act svg { width: 15px; height: 15px; }
.list .unarchive { display: none; }
.list.in-archived .archive, .list.in-archived .snooze, .list.in-archived .mark { display: none; }
.list.in-archived .unarchive { display: grid; }
.snooze-menu {
  position: absolute; right: 8px; top: 40px; z-index: 2; display: flex; flex-direction: column;
  min-width: 140px; padding: 4px; background: var(--_bg); border: 1px solid var(--_border);
  border-radius: 10px; box-shadow: 0 8px 24px rgba(15, 23, 42, 0.16);
}
.snooze-menu[hidden] { display: none; }
.snooze-option {
  padding: 7px 10px; border: 0; border-radius: 6px; background: none; color: var(--_fg);
  text-align: left; font-size: 13px; cursor: pointer;
}
.snooze-option:hover, .snooze-option:focus-visible { background: var(--_hover-bg); }
.prefs { padding: 10px 16px; }
.prefs[hidden] { display: none; }
.prefs-note { margin: 4px 0 10px; color: var(--_muted); font-size: 13px; }
.prefs-list { margin: 0; padding: 0; list-style: none; }
.pref {
  display: flex; align-items: center; gap: 12px; padding: 8px 0;
  border-bottom: 1px solid var(--_border);
}
.pref-type { flex: 1 1 auto; min-width: 0; overflow-wrap: anywhere; font-weight: 550; }
.pref-label { display: flex; align-items: center; gap: 6px; font-size: 13px; color: var(--_muted); }
.pref-switch { accent-color: var(--_accent); width: 16px; height: 16px; }
@media (prefers-reduced-motion: reduce) {
  .badge.bump, .item.fresh { animation: none; }
}
`;

let shared: CSSStyleSheet | null = null;

/** Constructable stylesheet where supported (shared by every widget, no `<style>` per copy). */
export function applyStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    shared ??= new CSSStyleSheet();
    if (shared.cssRules.length === 0) shared.replaceSync(WIDGET_CSS);
    root.adoptedStyleSheets = [shared];
    return;
  }
  const style = document.createElement('style');
  style.textContent = WIDGET_CSS;
  root.append(style);
}
