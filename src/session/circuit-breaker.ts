/** Why a guarded call did not reach its backend or got no answer in time. */
export type UnreachableReason = 'timeout' | 'circuit-open' | 'error';

/**
 * A backend that could not answer: it errored, timed out, or the circuit was open.
 * Distinct from "not found", which a backend that answered says with `undefined`.
 */
export class BackendUnreachableError extends Error {
  constructor(
    readonly reason: UnreachableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackendUnreachableError';
  }
}

/** True when `err` says the backend was unreachable (as opposed to a bug or a refused value). */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof BackendUnreachableError) return true;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof BackendUnreachableError;
}

/** How a breaker decides: per-call timeout, failures before it opens, how long it stays open. */
export interface BreakerOptions {
  /** `REDIS_COMMAND_TIMEOUT`: milliseconds before a call counts as failed. */
  readonly timeoutMs: number;
  /** Consecutive failures that open the circuit. Default 3. */
  readonly failureThreshold?: number;
  /** Milliseconds the circuit stays open before one probe may pass (half-open). Default 1000. */
  readonly openMs?: number;
  /** Told when the circuit opens or closes, for the log and metrics. */
  readonly onStateChange?: (state: BreakerState) => void;
}

/** `closed`: calls pass; `open`: calls fail at once; `half-open`: one probe is in flight. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A call in flight: a node of the breaker's deadline list, settled once. */
class Call<T = unknown> {
  prev: Call | undefined;
  next: Call | undefined;
  constructor(
    readonly deadline: number,
    readonly resolve: (value: T) => void,
    readonly reject: (err: BackendUnreachableError) => void,
  ) {}
}

/**
 * A circuit breaker with a per-call timeout. While closed every call has a deadline;
 * `failureThreshold` consecutive failures open it, and for `openMs` every call fails at
 * once, so an outage costs a request one timeout at most, not one per command. Calls still
 * waiting when it opens fail at once too: against a frozen server each would otherwise
 * wait out its own timer, so a burst of requests in flight at the start of an outage costs
 * one timeout, not a queue of them. Then one call passes as a probe: success closes the
 * circuit, failure opens it for another `openMs`.
 *
 * Every call has the same timeout, so calls in flight form a list in deadline order with
 * one timer for its head: a call costs a list node, not a timer, a race and a promise of
 * its own (a check that misses the session cache makes one or two).
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private readonly threshold: number;
  private readonly openMs: number;
  private head: Call | undefined;
  private tail: Call | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly sweep = (): void => this.expire();

  constructor(private readonly options: BreakerOptions) {
    this.threshold = Math.max(1, options.failureThreshold ?? 3);
    this.openMs = Math.max(1, options.openMs ?? 1000);
  }

  /** The state now (an open circuit past its `openMs` reads as half-open until its probe is sent). */
  get state(): BreakerState {
    return this.current;
  }

  /** Seconds a client should wait before trying again (`Retry-After`). */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.openUntil - Date.now()) / 1000));
  }

  /** Runs `work` under the timeout and the circuit; its failure, timeout or an open circuit throws BackendUnreachableError. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.current === 'half-open')
      return Promise.reject(new BackendUnreachableError('circuit-open', 'circuit half-open: probe in flight'));
    if (this.current === 'open') {
      if (Date.now() < this.openUntil)
        return Promise.reject(new BackendUnreachableError('circuit-open', 'circuit open'));
      this.transition('half-open');
    }
    return new Promise<T>((resolve, reject) => {
      const call = new Call<T>(performance.now() + this.options.timeoutMs, resolve, reject) as Call;
      this.append(call);
      let started: Promise<T>;
      try {
        started = work();
      } catch (err) {
        started = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      started.then(
        (value) => {
          if (!this.settle(call)) return;
          this.succeeded();
          resolve(value);
        },
        (err: unknown) => {
          if (!this.settle(call)) return;
          this.failed();
          reject(
            err instanceof BackendUnreachableError
              ? err
              : new BackendUnreachableError('error', (err as Error)?.message ?? String(err), { cause: err }),
          );
        },
      );
    });
  }

  private append(call: Call): void {
    if (this.tail === undefined) this.head = call;
    else {
      this.tail.next = call;
      call.prev = this.tail;
    }
    this.tail = call;
    this.timer ??= setTimeout(this.sweep, this.options.timeoutMs);
  }

  /** Takes `call` off the list; false when it was already settled (timed out or failed by an opening circuit). */
  private settle(call: Call): boolean {
    if (call.prev === undefined && this.head !== call) return false;
    if (call.prev === undefined) this.head = call.next;
    else call.prev.next = call.next;
    if (call.next === undefined) this.tail = call.prev;
    else call.next.prev = call.prev;
    call.prev = undefined;
    call.next = undefined;
    if (this.head === undefined && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return true;
  }

  /** Fails the calls past their deadline, oldest first, and waits for the next deadline. */
  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head !== undefined && this.head.deadline <= now) {
      const call = this.head;
      this.settle(call);
      this.failed();
      call.reject(new BackendUnreachableError('timeout', `no answer within ${this.options.timeoutMs} ms`));
    }
    if (this.head !== undefined) this.timer = setTimeout(this.sweep, Math.max(1, Math.ceil(this.head.deadline - now)));
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  private failed(): void {
    this.failures += 1;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.threshold)) {
      this.openUntil = Date.now() + this.openMs;
      this.transition('open');
      // The calls still waiting would fail too; they no longer count (the circuit is open).
      while (this.head !== undefined) {
        const call = this.head;
        this.settle(call);
        call.reject(new BackendUnreachableError('circuit-open', 'circuit opened while waiting'));
      }
    }
  }

  private transition(state: BreakerState): void {
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
