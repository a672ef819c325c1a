package dev.redlock.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * The holds of a chaos run that ended while their lock was still valid, with their fencing
 * tokens, and the two checks a correct lock passes: no two holds of one key overlap in time, and
 * the tokens of one key's holds strictly increase in the order the holds began. A hold runs from
 * the moment {@code acquire} returned to the moment just before {@code close}, both read from
 * {@link System#nanoTime()} in this JVM.
 */
final class ChaosHistory {

	record Hold(String key, String holder, long token, long start, long end) {
	}

	private final ConcurrentLinkedQueue<Hold> holds = new ConcurrentLinkedQueue<>();

	private final long origin;

	/**
	 * @param origin the {@link System#nanoTime()} that reported times count from
	 */
	ChaosHistory(long origin) {
		this.origin = origin;
	}

	void record(String key, String holder, long token, long start, long end) {
		this.holds.add(new Hold(key, holder, token, start, end));
	}

	int size() {
		return this.holds.size();
	}

	/**
	 * Two holds that break a rule: {@code earlier} began first.
	 * @param earlier the hold that began first
	 * @param later the other hold
	 * @param text the violation, for a report
	 */
	record Violation(Hold earlier, Hold later, String text) {

		@Override
		public String toString() {
			return this.text;
		}

	}

	/**
	 * Pairs of holds of one key whose intervals intersect.
	 * @return the violations
	 */
	List<Violation> overlaps() {
		List<Violation> violations = new ArrayList<>();
		for (List<Hold> sorted : byKey().values()) {
			Hold latest = null;
			for (Hold hold : sorted) {
				if (latest != null && hold.start() < latest.end()) {
					violations.add(new Violation(latest, hold, describe(latest) + " overlaps " + describe(hold)));
				}
				if (latest == null || hold.end() > latest.end()) {
					latest = hold;
				}
			}
		}
		return violations;
	}

	/**
	 * Holds whose token is not above the token of the hold of the same key that began before.
	 * @return the violations
	 */
	List<Violation> fencingViolations() {
		List<Violation> violations = new ArrayList<>();
		for (List<Hold> sorted : byKey().values()) {
			for (int i = 1; i < sorted.size(); i++) {
				Hold previous = sorted.get(i - 1);
				Hold hold = sorted.get(i);
				if (hold.token() <= previous.token()) {
					violations.add(new Violation(previous, hold,
							describe(hold) + " has a token not above that of the earlier " + describe(previous)));
				}
			}
		}
		return violations;
	}

	private Map<String, List<Hold>> byKey() {
		Map<String, List<Hold>> byKey = new TreeMap<>(
				this.holds.stream().collect(Collectors.groupingBy(Hold::key)));
		byKey.replaceAll((key, holds) -> holds.stream().sorted(Comparator.comparingLong(Hold::start)).toList());
		return byKey;
	}

	/**
	 * A hold for a report: key, holder, token and its interval in seconds since the origin.
	 * @param hold the hold
	 * @return the description
	 */
	String describe(Hold hold) {
		return String.format(Locale.ROOT, "[%s by %s, token %d, %.6fs..%.6fs]", hold.key(), hold.holder(),
				hold.token(), (hold.start() - this.origin) / 1e9, (hold.end() - this.origin) / 1e9);
	}

}
