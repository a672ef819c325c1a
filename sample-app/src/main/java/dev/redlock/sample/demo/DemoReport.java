package dev.redlock.sample.demo;

import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;

/**
 * Formats the demo's results: a table with one row per phase, and one summary line that scripts
 * can grep for ({@value #SUMMARY_PREFIX}).
 */
final class DemoReport {

	static final String SUMMARY_PREFIX = "DEMO SUMMARY:";

	private static final String ROW = "%-26s %8s %9s %9s %8s %12s %16s %12s %12s%n";

	private DemoReport() {
	}

	static String table(List<RoundResult> rounds) {
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT, ROW, "phase", "usable", "attempts", "acquired", "refused",
				"orders paid", "double payments", "p50 acquire", "p99 acquire"));
		for (RoundResult round : rounds) {
			table.append(String.format(Locale.ROOT, ROW, round.phase(), round.nodesUp() + "/" + round.nodes(),
					round.attempts(), round.locked() ? round.acquired() : "-", round.locked() ? round.refused() : "-",
					round.ordersPaid() + "/" + round.orders(), round.doublePayments(),
					millis(round.percentileNanos(50)), millis(round.percentileNanos(99))));
		}
		table.append("refused: the order's lock was taken (another instance was paying it, or contenders split the nodes"
				+ " and none got a quorum). The control run pays the same way without a lock.");
		return table.toString();
	}

	/**
	 * The totals of the locked phases, on one line.
	 * @param rounds every phase; the unlocked control run is left out of the totals
	 * @param nodesKilled how many nodes the demo killed
	 * @param quorum how many nodes a lock needs
	 * @return {@code DEMO SUMMARY: attempts=… acquired=… refused=… double-payments=… …}
	 */
	static String summary(List<RoundResult> rounds, int nodesKilled, int quorum) {
		List<RoundResult> locked = rounds.stream().filter(RoundResult::locked).toList();
		long[] latencies = locked.stream()
			.flatMapToLong((round) -> LongStream.of(round.acquireNanos()))
			.sorted()
			.toArray();
		int orders = locked.stream().mapToInt(RoundResult::orders).sum();
		int paid = locked.stream().mapToInt(RoundResult::ordersPaid).sum();
		return String.format(Locale.ROOT,
				"%s attempts=%d acquired=%d refused=%d double-payments=%d orders-paid=%d/%d p50=%s p99=%s "
						+ "nodes=%d quorum=%d nodes-killed=%d",
				SUMMARY_PREFIX, locked.stream().mapToInt(RoundResult::attempts).sum(),
				locked.stream().mapToInt(RoundResult::acquired).sum(),
				locked.stream().mapToInt(RoundResult::refused).sum(),
				locked.stream().mapToInt(RoundResult::doublePayments).sum(), paid, orders,
				millis(RoundResult.percentile(latencies, 50)), millis(RoundResult.percentile(latencies, 99)),
				locked.isEmpty() ? 0 : locked.get(0).nodes(), quorum, nodesKilled);
	}

	private static String millis(long nanos) {
		return (nanos < 0) ? "-" : String.format(Locale.ROOT, "%.2fms", nanos / 1_000_000.0);
	}

}
