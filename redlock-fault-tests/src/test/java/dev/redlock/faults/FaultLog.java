package dev.redlock.faults;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the injector did, with times ({@link System#nanoTime()}), for the evidence of a violation
 * and the counts of the report; and what it failed to do, which fails the run.
 */
final class FaultLog {

	record Event(long at, String text) {
	}

	private final long origin;

	private final List<Event> events = new ArrayList<>();

	private final Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);

	private final List<String> failures = new ArrayList<>();

	FaultLog(long origin) {
		this.origin = origin;
	}

	synchronized void injected(FaultKind kind, String text) {
		this.injected.merge(kind, 1, Integer::sum);
		event(text);
	}

	synchronized void event(String text) {
		long now = System.nanoTime();
		this.events.add(new Event(now, String.format(Locale.ROOT, "%9.3fs %s", (now - this.origin) / 1e9, text)));
	}

	synchronized void failed(String text) {
		this.failures.add(text);
		event("FAILED: " + text);
	}

	synchronized int injected(FaultKind kind) {
		return this.injected.getOrDefault(kind, 0);
	}

	synchronized Map<FaultKind, Integer> injectedCounts() {
		return new EnumMap<>(this.injected);
	}

	synchronized List<String> failures() {
		return List.copyOf(this.failures);
	}

	/**
	 * The events between two times.
	 * @param from the earliest
	 * @param to the latest
	 * @return their lines, oldest first
	 */
	synchronized List<String> between(long from, long to) {
		return this.events.stream().filter((event) -> event.at() - from >= 0 && event.at() - to <= 0)
			.map(Event::text).toList();
	}

	synchronized List<String> all() {
		return this.events.stream().map(Event::text).toList();
	}

}
