package dev.redlock.test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One acquisition of a lock as a test saw it, for checking histories with {@link LockHolds}:
 * when it was asked for, whether and when it was granted, with which fencing token, until when
 * it was valid (the deadline at the grant, moved by each renewal or extension seen), when the
 * work under it ended, and whether it was lost. Times are {@link System#nanoTime()} readings; on
 * Linux that clock ({@code CLOCK_MONOTONIC}) is shared by every process of the machine, so holds
 * recorded by several JVMs can be checked together.
 *
 * <p>A hold is filled in by one thread and read once it is complete.
 */
public final class LockHold {

	/**
	 * A time span, {@code [start, end)}.
	 * @param start the first instant
	 * @param end the instant just after the last
	 */
	public record Span(long start, long end) {
	}

	private static final long AMBIGUOUS_NANOS = 1_000_000;

	private final String id;

	private final String kind;

	private final List<String> keys;

	private final long requested;

	private final long holdAtLeastNanos;

	private final List<long[]> validity = new ArrayList<>();

	private long granted = Long.MIN_VALUE;

	private long token = -1;

	private long ended = Long.MIN_VALUE;

	private boolean lost;

	private List<Span> spans;

	/**
	 * A hold that has been asked for.
	 * @param id a name unique in the history, such as {@code c2-17}
	 * @param kind what kind of lock, for reports
	 * @param keys the keys it locks
	 * @param requested when the acquisition began
	 * @param holdAtLeastNanos the lock's minimum hold time, or 0
	 */
	public LockHold(String id, String kind, List<String> keys, long requested, long holdAtLeastNanos) {
		this.id = id;
		this.kind = kind;
		this.keys = List.copyOf(keys);
		this.requested = requested;
		this.holdAtLeastNanos = holdAtLeastNanos;
	}

	/**
	 * The end of a lock's validity from its remaining validity, never later than the truth: the
	 * remaining time is added to the clock reading just after it was asked, unless the readings
	 * around the question lie more than a millisecond apart (the thread was descheduled or the
	 * process stopped: the moment of the answer is unknown), then to the reading before it.
	 * Without validity left, the deadline is {@code at}.
	 * @param at the time the observation is recorded with
	 * @param remainingNanos asks the lock for its remaining validity, in nanoseconds
	 * @return the deadline, at least {@code at}
	 */
	public static long deadline(long at, LongSupplier remainingNanos) {
		long before = System.nanoTime();
		long remaining = remainingNanos.getAsLong();
		long after = System.nanoTime();
		if (remaining <= 0) {
			return at;
		}
		return Math.max(at, ((after - before <= AMBIGUOUS_NANOS) ? after : before) + remaining);
	}

	/**
	 * The lock was granted.
	 * @param at when the holder had it
	 * @param deadline until when it is valid
	 * @param token its fencing token, or -1
	 */
	public void granted(long at, long deadline, long token) {
		this.granted = at;
		this.token = token;
		this.validity.add(new long[] { at, deadline });
	}

	/**
	 * The holder saw a new deadline (after a renewal or an extension).
	 * @param at when
	 * @param deadline the deadline then
	 */
	public void validUntil(long at, long deadline) {
		long[] last = this.validity.isEmpty() ? null : this.validity.get(this.validity.size() - 1);
		if (last != null && at - last[1] <= 0 && deadline - last[1] <= 0) {
			return; // within what the last observation already covers
		}
		this.validity.add(new long[] { at, deadline });
	}

	/**
	 * The work under the lock ended; its release begins.
	 * @param at when
	 */
	public void ended(long at) {
		this.ended = at;
	}

	/** The engine reported the lock lost. */
	public void lost() {
		this.lost = true;
	}

	/**
	 * The hold's name.
	 * @return the id
	 */
	public String id() {
		return this.id;
	}

	/**
	 * What kind of lock it is.
	 * @return the kind, for reports
	 */
	public String kind() {
		return this.kind;
	}

	/**
	 * The keys it locks.
	 * @return the keys
	 */
	public List<String> keys() {
		return this.keys;
	}

	/**
	 * When the acquisition began.
	 * @return the time
	 */
	public long requested() {
		return this.requested;
	}

	/**
	 * When the lock was granted.
	 * @return the time, or {@link Long#MIN_VALUE} if never
	 */
	public long granted() {
		return this.granted;
	}

	/**
	 * Whether the lock was granted.
	 * @return {@code true} if so
	 */
	public boolean isGranted() {
		return this.granted != Long.MIN_VALUE;
	}

	/**
	 * The fencing token.
	 * @return the token, or -1 without fencing
	 */
	public long token() {
		return this.token;
	}

	/**
	 * When the work ended.
	 * @return the time, or {@link Long#MIN_VALUE} if it never ended
	 */
	public long ended() {
		return this.ended;
	}

	/**
	 * Whether the engine reported the lock lost.
	 * @return {@code true} if so
	 */
	public boolean isLost() {
		return this.lost;
	}

	/**
	 * When the holder stopped relying on the lock: at the end of its work, or later for a
	 * hold-at-least lock, whose keys stay until {@code holdAtLeast} after the acquisition began
	 * (less the drift the engine allows for: 1% and 2 ms); without an end, never.
	 * @return the time
	 */
	public long relied() {
		long end = (this.ended != Long.MIN_VALUE) ? this.ended : Long.MAX_VALUE;
		if (this.holdAtLeastNanos > 0) {
			long drift = this.holdAtLeastNanos / 100 + 2_000_000;
			end = Math.max(end, this.requested + this.holdAtLeastNanos - drift);
		}
		return end;
	}

	/**
	 * The spans in which this hold was valid: from the grant to its deadline, moved on by each
	 * new deadline seen before the last one passed (one seen later opens a new span), and cut at
	 * {@link #relied()}. A lost hold counts up to the deadline it had. Computed once: ask when the
	 * hold is complete.
	 * @return the spans, in time order; empty if the hold was never granted
	 */
	public List<Span> validSpans() {
		if (this.spans == null) {
			this.spans = List.copyOf(computeSpans());
		}
		return this.spans;
	}

	/**
	 * The end of the last valid span.
	 * @return the time, or the grant if the hold was never valid
	 */
	public long validUntil() {
		List<Span> valid = validSpans();
		return valid.isEmpty() ? this.granted : valid.get(valid.size() - 1).end();
	}

	private List<Span> computeSpans() {
		List<Span> result = new ArrayList<>();
		if (!isGranted()) {
			return result;
		}
		long cut = relied();
		long start = Long.MIN_VALUE;
		long end = Long.MIN_VALUE;
		for (long[] observation : this.validity) {
			if (start != Long.MIN_VALUE && observation[0] - end <= 0) {
				end = Math.max(end, observation[1]);
				continue;
			}
			if (start != Long.MIN_VALUE) {
				add(result, start, end, cut);
			}
			start = observation[0];
			end = observation[1];
		}
		add(result, start, end, cut);
		return result;
	}

	private static void add(List<Span> spans, long start, long end, long cut) {
		long capped = Math.min(end, cut);
		if (capped - start > 0) {
			spans.add(new Span(start, capped));
		}
	}

	@Override
	public String toString() {
		return this.id + " " + this.kind + " " + this.keys + " token " + this.token + " valid " + validSpans()
				+ (this.lost ? " LOST" : "");
	}

}
