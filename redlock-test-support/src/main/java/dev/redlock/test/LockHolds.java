package dev.redlock.test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checks a history of {@link LockHold}s must pass: mutual exclusion (no two holds of one key
 * valid at the same time) and fencing order (a fenced hold's token is above the token of every
 * hold of its key whose validity ended before it was granted).
 */
public final class LockHolds {

	private LockHolds() {
	}

	/**
	 * Two holds that break a rule.
	 * @param key the key they share
	 * @param earlier the hold that began first
	 * @param later the other one
	 * @param text what is wrong, for a report
	 */
	public record Violation(String key, LockHold earlier, LockHold later, String text) {

		@Override
		public String toString() {
			return this.text;
		}

	}

	/**
	 * Pairs of holds of one key whose valid spans ({@link LockHold#validSpans()}) intersect, lost
	 * holds included.
	 * @param holds the holds
	 * @return the pairs, each once
	 */
	public static List<Violation> overlaps(Collection<LockHold> holds) {
		record Entry(LockHold.Span span, LockHold hold) {
		}
		Map<String, List<Entry>> byKey = new TreeMap<>();
		for (LockHold hold : holds) {
			for (LockHold.Span span : hold.validSpans()) {
				for (String key : hold.keys()) {
					byKey.computeIfAbsent(key, (k) -> new ArrayList<>()).add(new Entry(span, hold));
				}
			}
		}
		List<Violation> violations = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (Map.Entry<String, List<Entry>> key : byKey.entrySet()) {
			List<Entry> entries = key.getValue();
			entries.sort(Comparator.comparingLong((Entry entry) -> entry.span().start()));
			List<Entry> open = new ArrayList<>();
			for (Entry entry : entries) {
				open.removeIf((earlier) -> earlier.span().end() - entry.span().start() <= 0);
				for (Entry earlier : open) {
					if (earlier.hold() != entry.hold() && seen.add(earlier.hold().id() + "|" + entry.hold().id())) {
						long overlap = Math.min(earlier.span().end(), entry.span().end()) - entry.span().start();
						violations.add(new Violation(key.getKey(), earlier.hold(), entry.hold(),
								String.format(Locale.ROOT, "%s: %s and %s overlap by %.3f ms", key.getKey(),
										earlier.hold().id(), entry.hold().id(), overlap / 1e6)));
					}
				}
				open.add(entry);
			}
		}
		return violations;
	}

	/**
	 * Fenced holds (token 0 or more) whose token is not above the token of a hold of the same key
	 * whose validity ended before they were granted.
	 * @param holds the holds
	 * @return the violations
	 */
	public static List<Violation> tokenOrderViolations(Collection<LockHold> holds) {
		Map<String, List<LockHold>> byKey = new TreeMap<>();
		for (LockHold hold : holds) {
			if (hold.isGranted() && hold.token() >= 0) {
				for (String key : hold.keys()) {
					byKey.computeIfAbsent(key, (k) -> new ArrayList<>()).add(hold);
				}
			}
		}
		List<Violation> violations = new ArrayList<>();
		for (Map.Entry<String, List<LockHold>> key : byKey.entrySet()) {
			List<LockHold> ofKey = key.getValue();
			ofKey.sort(Comparator.comparingLong(LockHold::granted));
			PriorityQueue<LockHold> running = new PriorityQueue<>(Comparator.comparingLong(LockHold::validUntil));
			LockHold highestDone = null;
			for (LockHold hold : ofKey) {
				while (!running.isEmpty() && running.peek().validUntil() - hold.granted() <= 0) {
					LockHold done = running.poll();
					if (highestDone == null || done.token() > highestDone.token()) {
						highestDone = done;
					}
				}
				if (highestDone != null && hold.token() <= highestDone.token()) {
					violations.add(new Violation(key.getKey(), highestDone, hold, key.getKey() + ": " + hold.id()
							+ " got token " + hold.token() + " after " + highestDone.id() + " with token "
							+ highestDone.token() + " was no longer valid"));
				}
				running.add(hold);
			}
		}
		return violations;
	}

}
