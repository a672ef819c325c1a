package dev.redlock.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks the holds of a simulation as they happen, on its one clock. A hold runs from the moment
 * its acquisition returned to the first moment its holder would no longer rely on it: the close,
 * the loss, or the end of the validity its handle believed at that moment (extensions move it,
 * failed ones cut it). At every grant: no other hold of the key runs then (mutual exclusion), and a
 * fenced hold's token is above every token granted for the key before (fencing order). A
 * hold-at-least that a quorum confirmed also covers its kept time, less the drift allowance: no
 * other hold may begin within it. Every event feeds the history's fingerprint, so two runs of one
 * seed can be compared.
 */
final class HoldChecker {

	/** How many holds of a key are kept to compare a new one with; only overlapping ones matter. */
	private static final int RECENT = 16;

	private static final int REPORTED = 20;

	/** One hold. */
	static final class Hold {

		final String holder;

		final String key;

		final long fence;

		final long start;

		long validUntil;

		long endedAt = Long.MAX_VALUE;

		long keptFrom;

		long keptUntil;

		Hold(String holder, String key, long fence, long start, long validUntil) {
			this.holder = holder;
			this.key = key;
			this.fence = fence;
			this.start = start;
			this.validUntil = validUntil;
		}

		/** Whether its holder relies on it at {@code time}, as known at {@code time}. */
		boolean heldAt(long time) {
			return this.endedAt > time && this.validUntil > time;
		}

		boolean keptAt(long time) {
			return this.keptFrom <= time && this.keptUntil > time;
		}

	}

	private static final class KeyState {

		final ArrayDeque<Hold> recent = new ArrayDeque<>(RECENT);

		long highestFence;

	}

	private final Map<String, KeyState> keys = new HashMap<>();

	private final List<String> reports = new ArrayList<>();

	private final RedlockSettings settings;

	private final long origin;

	private long fingerprint = 0xcbf29ce484222325L;

	long overlaps;

	long fencingViolations;

	long holdAtLeastViolations;

	HoldChecker(RedlockSettings settings, long origin) {
		this.settings = settings;
		this.origin = origin;
	}

	private void mix(long value) {
		long h = (this.fingerprint ^ value) * 0x100000001b3L;
		this.fingerprint = h ^ (h >>> 29);
	}

	long fingerprint() {
		return this.fingerprint;
	}

	List<String> reports() {
		return List.copyOf(this.reports);
	}

	Hold granted(String holder, String key, long fence, long now, long validUntil) {
		mix(1);
		mix(holder.hashCode());
		mix(key.hashCode());
		mix(fence);
		mix(now);
		mix(validUntil);
		KeyState state = this.keys.computeIfAbsent(key, (k) -> new KeyState());
		Hold hold = new Hold(holder, key, fence, now, validUntil);
		for (Hold other : state.recent) {
			if (other.heldAt(now)) {
				this.overlaps++;
				report(describe(hold) + " was granted while " + describe(other) + " ran");
			}
			else if (other.keptAt(now)) {
				this.holdAtLeastViolations++;
				report(describe(hold) + " was granted within the hold-at-least of " + describe(other));
			}
		}
		if (fence > 0) {
			if (fence <= state.highestFence) {
				this.fencingViolations++;
				report(describe(hold) + " has a token not above " + state.highestFence + ", granted before");
			}
			state.highestFence = Math.max(state.highestFence, fence);
		}
		if (state.recent.size() == RECENT) {
			state.recent.poll();
		}
		state.recent.add(hold);
		return hold;
	}

	void ended(Hold hold, long now) {
		if (now < hold.endedAt) {
			mix(2);
			mix(now);
			hold.endedAt = now;
		}
	}

	void validity(Hold hold, long validUntil, long now) {
		mix(3);
		mix(validUntil);
		mix(now);
		hold.validUntil = validUntil;
	}

	/**
	 * A hold-at-least release: the lease was shortened to {@code keepNanos} from {@code from}. If a
	 * quorum confirmed it, nobody may hold the key until then (less the drift allowance), also
	 * those granted since {@code from}.
	 */
	void kept(Hold hold, long from, long keepNanos, boolean confirmed) {
		mix(4);
		mix(confirmed ? keepNanos : -keepNanos);
		if (!confirmed) {
			return;
		}
		hold.keptFrom = from;
		hold.keptUntil = from + keepNanos - this.settings.driftNanos(keepNanos);
		for (Hold other : this.keys.get(hold.key).recent) {
			if (other != hold && hold.keptAt(other.start)) {
				this.holdAtLeastViolations++;
				report(describe(other) + " was granted within the hold-at-least of " + describe(hold));
			}
		}
	}

	void notAcquired(String holder, String key, long now) {
		mix(5);
		mix(holder.hashCode());
		mix(key.hashCode());
		mix(now);
	}

	private void report(String text) {
		if (this.reports.size() < REPORTED) {
			this.reports.add(text);
		}
	}

	private String describe(Hold hold) {
		String end = (hold.endedAt == Long.MAX_VALUE) ? "open" : seconds(hold.endedAt);
		return String.format(Locale.ROOT, "[%s by %s, fence %d, granted %s, valid until %s, ended %s%s]", hold.key,
				hold.holder, hold.fence, seconds(hold.start), seconds(hold.validUntil), end,
				(hold.keptUntil != 0) ? ", kept " + seconds(hold.keptFrom) + ".." + seconds(hold.keptUntil) : "");
	}

	private String seconds(long time) {
		return String.format(Locale.ROOT, "%.6fs", (time - this.origin) / 1e9);
	}

}
