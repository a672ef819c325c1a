package dev.redlock.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The results of a JMH run, read from its JSON result file, and looked up by benchmark class,
 * method and implementation.
 */
public final class JmhResults {

	private final List<Result> results;

	private JmhResults(List<Result> results) {
		this.results = List.copyOf(results);
	}

	/**
	 * One benchmark result.
	 * @param benchmarkClass the simple name of the benchmark class, such as
	 * {@code UncontendedBenchmark}
	 * @param method the benchmark method, such as {@code threads8}
	 * @param implementation the {@code impl} parameter
	 * @param threads the number of benchmark threads
	 * @param mode the JMH mode, such as {@code sample} or {@code thrpt}
	 * @param score the primary score
	 * @param error the primary score's error (99.9% confidence), {@code NaN} when unknown
	 * @param unit the primary score's unit, such as {@code us/op}
	 * @param percentiles for sample-time results, the score at each percentile (0 to 100)
	 * @param secondary the secondary scores (JMH aux counters, profilers) by name
	 * @param samples for sample-time results, how many operations were timed
	 */
	public record Result(String benchmarkClass, String method, String implementation, int threads, String mode,
			double score, double error, String unit, Map<Double, Double> percentiles, Map<String, Double> secondary,
			long samples) {

		/**
		 * A percentile of a sample-time result.
		 * @param percentile such as {@code 50} or {@code 99}
		 * @return the score at that percentile, {@code NaN} if unknown
		 */
		public double percentile(double percentile) {
			return this.percentiles.getOrDefault(percentile, Double.NaN);
		}

		/**
		 * A secondary score.
		 * @param name such as {@code handoffs}
		 * @return the score, {@code NaN} if absent
		 */
		public double secondary(String name) {
			return this.secondary.getOrDefault(name, Double.NaN);
		}

	}

	/**
	 * Reads a JMH JSON result file.
	 * @param file the file
	 * @return the results
	 */
	public static JmhResults read(Path file) {
		try {
			return parse(Files.readString(file, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Parses JMH's JSON result format.
	 * @param json the text
	 * @return the results
	 */
	@SuppressWarnings("unchecked")
	public static JmhResults parse(String json) {
		List<Result> results = new ArrayList<>();
		for (Object item : (List<Object>) MiniJson.parse(json)) {
			Map<String, Object> entry = (Map<String, Object>) item;
			String benchmark = (String) entry.get("benchmark");
			int lastDot = benchmark.lastIndexOf('.');
			String method = benchmark.substring(lastDot + 1);
			String type = benchmark.substring(0, lastDot);
			String benchmarkClass = type.substring(type.lastIndexOf('.') + 1);
			Map<String, Object> params = (Map<String, Object>) entry.getOrDefault("params", Map.of());
			Map<String, Object> primary = (Map<String, Object>) entry.get("primaryMetric");
			Map<Double, Double> percentiles = new LinkedHashMap<>();
			Object rawPercentiles = primary.get("scorePercentiles");
			if (rawPercentiles instanceof Map<?, ?> map) {
				map.forEach((p, value) -> percentiles.put(Double.parseDouble((String) p), MiniJson.number(value)));
			}
			Map<String, Double> secondary = new LinkedHashMap<>();
			Object rawSecondary = entry.get("secondaryMetrics");
			if (rawSecondary instanceof Map<?, ?> map) {
				map.forEach((name, metric) -> secondary.put((String) name,
						MiniJson.number(((Map<String, Object>) metric).get("score"))));
			}
			results.add(new Result(benchmarkClass, method, (String) params.getOrDefault("impl", ""),
					(int) MiniJson.number(entry.get("threads")), (String) entry.get("mode"),
					MiniJson.number(primary.get("score")), MiniJson.number(primary.get("scoreError")),
					(String) primary.get("scoreUnit"), percentiles, secondary, samples(primary.get("rawDataHistogram"))));
		}
		return new JmhResults(results);
	}

	/** Sums the counts of JMH's sample histogram: forks, iterations, [value, count] pairs. */
	private static long samples(Object histogram) {
		long total = 0;
		if (histogram instanceof List<?> forks) {
			for (Object fork : forks) {
				for (Object iteration : (List<?>) fork) {
					for (Object pair : (List<?>) iteration) {
						total += (long) MiniJson.number(((List<?>) pair).get(1));
					}
				}
			}
		}
		return total;
	}

	/**
	 * All results, in file order.
	 * @return the results
	 */
	public List<Result> all() {
		return this.results;
	}

	/**
	 * One result.
	 * @param benchmarkClass the benchmark class's simple name
	 * @param method the method
	 * @param implementation the implementation id
	 * @return the result, if the run had it
	 */
	public Optional<Result> find(String benchmarkClass, String method, String implementation) {
		return this.results.stream()
			.filter((r) -> r.benchmarkClass().equals(benchmarkClass) && r.method().equals(method)
					&& r.implementation().equals(implementation))
			.findFirst();
	}

	/**
	 * The implementations a benchmark class was run with, in {@link Implementation} order.
	 * @param benchmarkClass the benchmark class's simple name
	 * @return the implementation ids
	 */
	public List<String> implementations(String benchmarkClass) {
		List<String> ids = new ArrayList<>();
		for (Implementation implementation : Implementation.values()) {
			boolean present = this.results.stream()
				.anyMatch((r) -> r.benchmarkClass().equals(benchmarkClass)
						&& r.implementation().equals(implementation.id()));
			if (present) {
				ids.add(implementation.id());
			}
		}
		return ids;
	}

}
