/**
 * `<herald-inbox server="https://herald.example.com" token="JWT">`: a bell with the unread
 * count and a panel with the user's notifications. Attributes: `server` (default: where
 * widget.js came from), `token`, `align="start"` (panel opens to the right), `theme="dark"`,
 * `desktop-notifications`, `push="/worker.js"` (offers Web Push; see push-toggle.ts). Property
 * `getToken` (a function returning a token or a promise of one) replaces `token` for apps that
 * fetch and renew tokens themselves.
 * Events `herald-open`, `herald-status`, `herald-unauthorized`: see inbox-events.ts.
 */
import { acquireClient, normalizeServer, releaseClient, SCRIPT_ORIGIN } from './client-registry';
import { desktopAlertsSupported, desktopPermission, showDesktopAlert } from './desktop-alerts';
import type { InboxClient, InboxEvent, InboxSnapshot } from './inbox-client';
import { dispatchOpen, dispatchStatus } from './inbox-events';
import { wireInput } from './inbox-input';
import { createShell, renderBell, type Shell } from './inbox-view';
import { LifecycleControls } from './lifecycle-controls';
import { renderRows } from './notification-rows';
import { renderPanelState } from './panel-state';
import { pushToggleFor, type PushToggle } from './push-toggle';
import { applyStyles } from './styles';
import type { TokenProvider } from './token-source';
import type { ConnectionStatus } from './types';

export class HeraldInboxElement extends HTMLElement {
  static readonly observedAttributes = ['server', 'token', 'label', 'push'];

  private readonly shell: Shell;
  private readonly rows = new Map<string, HTMLLIElement>();
  private readonly observer: IntersectionObserver;
  private client: InboxClient | null = null;
  private unsubscribe: (() => void) | null = null;
  private tokenHook: TokenProvider | undefined;
  private push: PushToggle | null = null;
  /** The last token this element was given: a sign-out deletes the push subscription with it. */
  private lastToken: string | undefined;
  private shownUnread: number | null = null;
  private shownStatus: ConnectionStatus | null = null;
  private wasLoading: InboxSnapshot['loading'] = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly controls: LifecycleControls;
  private readonly onOutsidePointer = (event: PointerEvent) => {
    if (!event.composedPath().includes(this)) this.close(false);
  };

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    applyStyles(root);
    const { nodes, shell } = createShell();
    root.append(...nodes);
    this.shell = shell;
    this.controls = new LifecycleControls(
      shell,
      () => this.client,
      () => this.render(),
    );
    this.observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting) || !this.isOpen) return;
        if (this.controls.tab === 'archived') void this.client?.lifecycle.loadOlderArchived();
        else if (this.controls.tab === 'inbox') void this.client?.loadOlder();
      },
      { root: shell.scroller, rootMargin: '0px 0px 160px 0px' },
    );
    this.observer.observe(shell.sentinel);
    wireInput(root, shell, {
      element: this,
      controls: this.controls,
      isOpen: () => this.isOpen,
      client: () => this.client,
      toggle: () => this.toggle(),
      close: (restoreFocus) => this.close(restoreFocus),
      render: () => this.render(),
      opened: (notification) => dispatchOpen(this, notification),
    });
  }

  /** The app's token hook: called for the first token and whenever the server rejects one. */
  get getToken(): TokenProvider | undefined {
    return this.tokenHook;
  }

  set getToken(hook: TokenProvider | undefined) {
    this.tokenHook = typeof hook === 'function' ? hook : undefined;
    if (this.isConnected) this.attach();
  }

  get server(): string {
    return this.getAttribute('server') || SCRIPT_ORIGIN;
  }

  /** The connection as the user sees it; null without a token. */
  get status(): ConnectionStatus | null {
    return this.client?.snapshot().status ?? null;
  }

  get isOpen(): boolean {
    return !this.shell.panel.hidden;
  }

  connectedCallback(): void {
    // A `getToken` set before the element was defined is an own property hiding the setter.
    if (Object.prototype.hasOwnProperty.call(this, 'getToken')) {
      const hook = (this as { getToken?: TokenProvider }).getToken;
      delete (this as { getToken?: TokenProvider }).getToken;
      this.tokenHook = hook;
    }
    this.attach();
  }

  disconnectedCallback(): void {
    this.close(false);
    this.detach();
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value) return;
    if (name === 'label') this.render();
    else if (this.isConnected) this.attach();
  }

  open(): void {
    if (this.isOpen) return;
    this.shell.panel.hidden = false;
    this.shell.bell.setAttribute('aria-expanded', 'true');
    document.addEventListener('pointerdown', this.onOutsidePointer, true);
    let ticks = 0;
    this.ticker = setInterval(() => this.render(++ticks % 30 === 0), 1000);
    void this.client?.ensureLoaded();
    this.render(true);
    this.fitPanel();
    this.shell.panel.focus();
  }

  /** Closes the panel; `restoreFocus` returns focus to the bell (Escape, not a click away). */
  close(restoreFocus = true): void {
    if (!this.isOpen) return;
    this.shell.panel.hidden = true;
    this.shell.bell.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', this.onOutsidePointer, true);
    clearInterval(this.ticker);
    if (restoreFocus) this.shell.bell.focus();
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }

  markAllRead(): Promise<void> {
    return this.client?.markAllRead() ?? Promise.resolve();
  }

  /** The user signs out: this browser's push subscription goes (also when `token` is removed). */
  signOut(): Promise<void> {
    return this.push?.signOut() ?? Promise.resolve();
  }

  /** Opens the panel towards the side with room when the chosen side would leave the screen. */
  private fitPanel(): void {
    const panel = this.shell.panel;
    panel.classList.remove('flip');
    const box = panel.getBoundingClientRect();
    if (box.left < 0 || box.right > document.documentElement.clientWidth) {
      panel.classList.add('flip');
    }
  }

  private attach(): void {
    this.detach();
    const token = this.getAttribute('token') || undefined;
    if (this.lastToken && !token && !this.tokenHook) void this.signOut();
    if (token) this.lastToken = token;
    const hook = () => this.tokenHook;
    this.push = pushToggleFor(this.push, {
      server: token || this.tokenHook ? this.server : null,
      workerPath: this.getAttribute('push'),
      footer: this.shell.footer,
      token: async () => {
        const current = this.getAttribute('token') || this.lastToken;
        return current ?? (await (hook() ?? (() => ''))());
      },
      onChange: () => this.render(),
    });
    if (token || this.tokenHook) {
      try {
        const server = normalizeServer(this.server);
        this.client = acquireClient(server, { token, getToken: this.tokenHook });
        this.unsubscribe = this.client.subscribe((event) => this.onInboxEvent(event));
        if (this.isOpen) void this.client.ensureLoaded();
      } catch (error) {
        console.error(error);
      }
    }
    this.render(true);
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.client) releaseClient(this.client);
    this.client = null;
    for (const row of this.rows.values()) row.remove();
    this.rows.clear();
    this.shownUnread = null;
  }

  private onInboxEvent(event: InboxEvent): void {
    if (event.type === 'change') return this.render();
    const { notification } = event;
    this.shell.live.textContent = `New notification: ${notification.title}`;
    this.rows.get(notification.id)?.classList.add('fresh');
    if (this.hasAttribute('desktop-notifications'))
      showDesktopAlert(notification, () => this.open());
  }

  private render(refreshTimes = false): void {
    const inbox = this.client?.snapshot();
    const snapshot = this.controls.renderTab(inbox);
    const { shell } = this;
    const label = this.getAttribute('label') || 'Notifications';
    const unread = inbox?.unread ?? null;
    const status = snapshot?.status ?? null;
    renderBell(shell, label, { now: unread, shown: this.shownUnread }, status);
    this.shownUnread = unread;
    if (status && status !== this.shownStatus) dispatchStatus(this, status);
    this.shownStatus = status;
    shell.count.textContent = unread ? `(${unread})` : '';
    shell.markAll.disabled = !unread && !snapshot?.items.some((n) => !n.readAt);
    renderRows(shell.list, this.rows, snapshot?.items ?? [], refreshTimes);
    renderPanelState(shell, snapshot, !!this.client, this.controls.emptyText());
    shell.alertsButton.hidden = !(
      this.hasAttribute('desktop-notifications') &&
      desktopAlertsSupported() &&
      desktopPermission() === 'default'
    );
    shell.footer.hidden = shell.alertsButton.hidden && !this.push?.visible;
    // A page that ended with the sentinel still in view needs another look after loading.
    if (this.wasLoading === 'older' && !snapshot?.loading && snapshot?.hasMore) {
      this.observer.unobserve(shell.sentinel);
      this.observer.observe(shell.sentinel);
    }
    this.wasLoading = snapshot?.loading ?? null;
  }
}
