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

/**
 * A circuit breaker with a per-call timeout. While closed every call is raced
 * against a timer; `failureThreshold` consecutive failures open it, and for `openMs`
 * every call fails at once, so an outage costs a request one timeout at most, not one
 * per command. Calls still waiting when it opens fail at once too: against a frozen
 * server each would otherwise wait out its own timer, so a burst of requests in flight
 * at the start of an outage costs one timeout, not a queue of them. Then one call
 * passes as a probe: success closes the circuit, failure opens it for another `openMs`.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openUntil = 0;
  private readonly threshold: number;
  private readonly openMs: number;
  /** Rejecters of the calls in flight, failed at once when the circuit opens. */
  private readonly pending = new Set<(err: BackendUnreachableError) => void>();

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
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.current === 'half-open')
      throw new BackendUnreachableError('circuit-open', 'circuit half-open: probe in flight');
    if (this.current === 'open') {
      if (Date.now() < this.openUntil) throw new BackendUnreachableError('circuit-open', 'circuit open');
      this.transition('half-open');
    }
    let timer: NodeJS.Timeout | undefined;
    let abort: ((err: BackendUnreachableError) => void) | undefined;
    const cut = new Promise<never>((_, reject) => {
      abort = reject;
      timer = setTimeout(
        () => reject(new BackendUnreachableError('timeout', `no answer within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
    });
    const abortThis = abort as (err: BackendUnreachableError) => void;
    this.pending.add(abortThis);
    try {
      const result = await Promise.race([work(), cut]);
      this.succeeded();
      return result;
    } catch (err) {
      this.failed();
      if (err instanceof BackendUnreachableError) throw err;
      throw new BackendUnreachableError('error', (err as Error)?.message ?? String(err), { cause: err });
    } finally {
      clearTimeout(timer);
      this.pending.delete(abortThis);
    }
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
      const waiting = [...this.pending];
      this.pending.clear();
      for (const abort of waiting) abort(new BackendUnreachableError('circuit-open', 'circuit opened while waiting'));
    }
  }

  private transition(state: BreakerState): void {
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
