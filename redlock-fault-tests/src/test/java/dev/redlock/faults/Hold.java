package dev.redlock.faults;

import java.util.ArrayList;
import java.util.List;

/**
 * One acquisition of a client, rebuilt from its history: what was asked, whether and when it was
 * granted, how its validity moved, when the work under it ended, and whether it was lost.
 */
final class Hold {

	/** A time span, {@code [start, end)}, in {@link System#nanoTime()}. */
	record Span(long start, long end) {
	}

	final String id;

	final String kind;

	final boolean fenced;

	final long holdAtLeastNanos;

	final List<String> keys;

	final long requested;

	long granted = Long.MIN_VALUE;

	long token = -1;

	long ended = Long.MIN_VALUE;

	boolean lost;

	/** The validity observations, {@code [at, deadline]}, the grant first. */
	final List<long[]> validity = new ArrayList<>();

	private List<Span> spans;

	Hold(String id, String kind, boolean fenced, long holdAtLeastNanos, List<String> keys, long requested) {
		this.id = id;
		this.kind = kind;
		this.fenced = fenced;
		this.holdAtLeastNanos = holdAtLeastNanos;
		this.keys = List.copyOf(keys);
		this.requested = requested;
	}

	boolean isGranted() {
		return this.granted != Long.MIN_VALUE;
	}

	String client() {
		return this.id.substring(0, this.id.indexOf('-'));
	}

	/**
	 * When the holder stopped relying on the lock: at the end of its work, or later for a
	 * hold-at-least lock, whose keys stay until {@code holdAtLeast} after the acquisition began
	 * (less the drift the engine allows for: 1% and 2 ms); without an end, at its last deadline.
	 */
	long relied() {
		long end = (this.ended != Long.MIN_VALUE) ? this.ended : Long.MAX_VALUE;
		if (this.holdAtLeastNanos > 0) {
			long drift = this.holdAtLeastNanos / 100 + 2_000_000;
			end = Math.max(end, this.requested + this.holdAtLeastNanos - drift);
		}
		return end;
	}

	/**
	 * The spans in which this hold was valid: from the grant to its deadline, moved on by each
	 * renewal or extension seen before the deadline passed (one seen later opens a new span), and
	 * cut at {@link #relied()}. Lost holds are included up to the deadline they had. Computed
	 * once: call it after the whole history is read.
	 * @return the spans, in time order
	 */
	List<Span> validSpans() {
		if (this.spans == null) {
			this.spans = List.copyOf(computeSpans());
		}
		return this.spans;
	}

	private List<Span> computeSpans() {
		List<Span> spans = new ArrayList<>();
		if (!isGranted()) {
			return spans;
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
				add(spans, start, end, cut);
			}
			start = observation[0];
			end = observation[1];
		}
		add(spans, start, end, cut);
		return spans;
	}

	private static void add(List<Span> spans, long start, long end, long cut) {
		long capped = Math.min(end, cut);
		if (capped - start > 0) {
			spans.add(new Span(start, capped));
		}
	}

}
