package dev.redlock.faults;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.redlock.test.LockHold;
import dev.redlock.test.LockHolds;

/**
 * The result of a run: one row per phase (a Markdown table, as docs/guarantees.md shows it), and the
 * evidence behind every violation.
 */
final class FaultReport {

	/** The counts of one phase, over every round in which it ran. */
	static final class Row {

		final Phase phase;

		int runs;

		long durationNanos;

		final Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);

		final List<String> leftovers = new ArrayList<>();

		final Map<String, Integer> acquisitionsByKind = new TreeMap<>();

		long requests;

		long acquisitions;

		long freeFailures;

		long overlaps;

		long staleAccepted;

		long staleRejected;

		long tokenOrder;

		long sharedTokens;

		long lateWrites;

		long lateRejected;

		long losses;

		long fencedWrites;

		Row(Phase phase) {
			this.phase = phase;
		}

		void add(FaultChecker.PhaseRun run) {
			this.runs++;
			this.durationNanos += run.end() - run.start();
			run.injected().forEach((kind, count) -> this.injected.merge(kind, count, Integer::sum));
			this.leftovers.addAll(run.leftoverKeys());
		}

		void request(LockHold hold) {
			this.requests++;
			if (hold.isGranted()) {
				this.acquisitions++;
				this.acquisitionsByKind.merge(hold.kind().split(" ")[0], 1, Integer::sum);
			}
		}

		/**
		 * The share of attempts that got the lock, of those that were not turned away because
		 * another owner held the key on some node.
		 * @return between 0 and 1
		 */
		double availability() {
			long decided = this.acquisitions + this.freeFailures;
			return (decided > 0) ? (double) this.acquisitions / decided : 0;
		}

		int faults() {
			return this.injected.values().stream().mapToInt(Integer::intValue).sum();
		}

	}

	final long origin;

	final List<Row> rows;

	final Histories histories;

	final List<LockHolds.Violation> allowedOverlaps;

	final List<LockHolds.Violation> forbiddenOverlaps;

	final List<String> staleAccepted;

	final List<String> inconsistentResource;

	final List<LockHolds.Violation> tokenOrder;

	final List<LockHolds.Violation> sharedTokens;

	FaultReport(long origin, List<Row> rows, Histories histories, List<LockHolds.Violation> allowedOverlaps,
			List<LockHolds.Violation> forbiddenOverlaps, List<String> staleAccepted, List<String> inconsistentResource,
			List<LockHolds.Violation> tokenOrder, List<LockHolds.Violation> sharedTokens) {
		this.sharedTokens = sharedTokens;
		this.origin = origin;
		this.rows = rows;
		this.histories = histories;
		this.allowedOverlaps = allowedOverlaps;
		this.forbiddenOverlaps = forbiddenOverlaps;
		this.staleAccepted = staleAccepted;
		this.inconsistentResource = inconsistentResource;
		this.tokenOrder = tokenOrder;
	}

	long acquisitions() {
		return this.rows.stream().mapToLong((row) -> row.acquisitions).sum();
	}

	Map<String, Integer> acquisitionsByKind() {
		Map<String, Integer> kinds = new TreeMap<>();
		this.rows.forEach((row) -> row.acquisitionsByKind.forEach((kind, count) -> kinds.merge(kind, count, Integer::sum)));
		return kinds;
	}

	/**
	 * The table, in Markdown.
	 * @return the table
	 */
	String table() {
		StringBuilder table = new StringBuilder();
		table.append("| phase | time | faults injected | acquisitions | overlapping holds within validity "
				+ "| stale writes accepted | stale writes rejected | late writes (rejected) | token order violations "
				+ "| shared tokens | lost-lock events | leftover keys | availability |\n");
		table.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
		for (Row row : this.rows) {
			table.append(String.format(Locale.ROOT,
					"| %s | %d s | %d | %,d | %d%s | %d | %,d | %,d (%,d) | %d | %d | %,d | %d | %.1f%% |%n",
					row.phase.name(), TimeUnit.NANOSECONDS.toSeconds(row.durationNanos), row.faults(), row.acquisitions,
					row.overlaps, (row.overlaps > 0 && row.phase.overlapsAllowed()) ? " (allowed)" : "",
					row.staleAccepted, row.staleRejected, row.lateWrites, row.lateRejected, row.tokenOrder,
					row.sharedTokens, row.losses, row.leftovers.size(), 100 * row.availability()));
		}
		return table.toString();
	}

	/**
	 * The evidence behind each kind of violation (the first ten of each), with the faults from
	 * three seconds before the earlier hold to the end of the later one.
	 * @param log the faults
	 * @return the text, empty if there is nothing to show
	 */
	String evidence(FaultLog log) {
		StringBuilder text = new StringBuilder();
		violations(text, "Overlapping holds where none is allowed", this.forbiddenOverlaps, log);
		violations(text, "Overlapping holds under clock faults (Redlock's documented limit)",
				this.allowedOverlaps, log);
		violations(text, "Token order violations", this.tokenOrder, log);
		violations(text, "Grants of one key that share a token", this.sharedTokens, log);
		lines(text, "Stale writes the resource accepted", this.staleAccepted);
		lines(text, "Writes the resource rejected although their token was the highest", this.inconsistentResource);
		lines(text, "Unexpected errors in the clients",
				this.histories.errors.stream().map((error) -> error.hold() + ": " + error.detail()).toList());
		for (Row row : this.rows) {
			lines(text, "Lock keys left after the lease in phase '" + row.phase.name() + "'", row.leftovers);
		}
		return text.toString();
	}

	private void violations(StringBuilder text, String title, List<LockHolds.Violation> violations, FaultLog log) {
		if (violations.isEmpty()) {
			return;
		}
		text.append(title).append(" (").append(violations.size()).append(", the first 10):\n");
		for (LockHolds.Violation violation : violations.subList(0, Math.min(10, violations.size()))) {
			text.append("  ").append(violation.text()).append('\n');
			text.append("    ").append(describe(violation.earlier())).append('\n');
			text.append("    ").append(describe(violation.later())).append('\n');
			long from = violation.earlier().requested() - TimeUnit.SECONDS.toNanos(3);
			long to = Math.max(violation.earlier().validUntil(), violation.later().validUntil())
					+ TimeUnit.SECONDS.toNanos(1);
			log.between(from, Math.min(to, from + TimeUnit.SECONDS.toNanos(20)))
				.forEach((event) -> text.append("      ").append(event).append('\n'));
		}
	}

	private static void lines(StringBuilder text, String title, List<String> lines) {
		if (lines.isEmpty()) {
			return;
		}
		text.append(title).append(" (").append(lines.size()).append(", the first 10):\n");
		lines.subList(0, Math.min(10, lines.size())).forEach((line) -> text.append("  ").append(line).append('\n'));
	}

	/**
	 * A hold for a report: times in seconds since the run's origin.
	 * @param hold the hold
	 * @return its description
	 */
	String describe(LockHold hold) {
		return String.format(Locale.ROOT, "%s %s keys %s requested %.3fs granted %s token %d valid %s ended %s%s",
				hold.id(), hold.kind(), hold.keys(), seconds(hold.requested()),
				hold.isGranted() ? String.format(Locale.ROOT, "%.6fs", seconds(hold.granted())) : "never", hold.token(),
				hold.validSpans().stream()
					.map((span) -> String.format(Locale.ROOT, "%.6f..%.6f", seconds(span.start()), seconds(span.end())))
					.collect(Collectors.joining(", ", "[", "]")),
				(hold.ended() != Long.MIN_VALUE) ? String.format(Locale.ROOT, "%.6fs", seconds(hold.ended())) : "never",
				hold.isLost() ? " LOST" : "");
	}

	private double seconds(long nanos) {
		return (nanos - this.origin) / 1e9;
	}

}
