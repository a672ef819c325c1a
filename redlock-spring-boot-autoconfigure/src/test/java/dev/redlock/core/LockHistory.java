package dev.redlock.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Records who held which lock when, and finds holds of the same key that overlap. A hold runs
 * from the moment {@code acquire} returned to the moment {@code close} was called, both read from
 * {@link System#nanoTime()} in this JVM.
 */
final class LockHistory {

	record Hold(String key, String owner, long start, long end, boolean validAtEnd) {
	}

	private final ConcurrentLinkedQueue<Hold> holds = new ConcurrentLinkedQueue<>();

	void record(String key, String owner, long start, long end, boolean validAtEnd) {
		this.holds.add(new Hold(key, owner, start, end, validAtEnd));
	}

	int size() {
		return this.holds.size();
	}

	List<Hold> holds() {
		return List.copyOf(this.holds);
	}

	/**
	 * Pairs of holds of one key whose intervals intersect.
	 */
	List<String> overlaps() {
		List<String> violations = new ArrayList<>();
		Map<String, List<Hold>> byKey = this.holds.stream().collect(Collectors.groupingBy(Hold::key));
		for (List<Hold> holdsOfKey : byKey.values()) {
			List<Hold> sorted = new ArrayList<>(holdsOfKey);
			sorted.sort(Comparator.comparingLong(Hold::start));
			Hold latest = null;
			for (Hold hold : sorted) {
				if (latest != null && hold.start() < latest.end()) {
					violations.add(latest + " overlaps " + hold);
				}
				if (latest == null || hold.end() > latest.end()) {
					latest = hold;
				}
			}
		}
		return violations;
	}

}
