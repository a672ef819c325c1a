package dev.redlock.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.imageio.ImageIO;

import dev.redlock.benchmarks.JmhResults.Result;

/**
 * Draws the results of a run as one PNG with four panels (uncontended latency, throughput by
 * thread count, hot-key handoffs, one slow node), with {@code java.awt} only, headless.
 */
public final class Chart {

	private static final int WIDTH = 1600;

	private static final int HEIGHT = 1180;

	/** One colour per {@link Implementation}, in declaration order: greys, blues (ours), oranges, green. */
	private static final Color[] PALETTE = { new Color(0x969696), new Color(0x3b3b3b), new Color(0xc7c7c7),
			new Color(0x9ecae1), new Color(0x4292c6), new Color(0x08519c), new Color(0xfdae6b), new Color(0xe6550d),
			new Color(0xa63603), new Color(0x31a354) };

	private static final Color GRID = new Color(0xdddddd);

	private Chart() {
	}

	/**
	 * Draws a JMH JSON result file.
	 * @param args the JSON file, the PNG file to write
	 */
	public static void main(String[] args) {
		if (args.length != 2) {
			System.err.println("Usage: Chart <results.json> <chart.png>");
			System.exit(2);
		}
		render(JmhResults.read(Path.of(args[0])), Path.of(args[1]), "");
	}

	/**
	 * Draws the results.
	 * @param results the results of a run
	 * @param png the file to write
	 * @param subtitle a line under the title (machine, date)
	 */
	public static void render(JmhResults results, Path png, String subtitle) {
		System.setProperty("java.awt.headless", "true");
		BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, WIDTH, HEIGHT);
			g.setColor(Color.BLACK);
			g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
			g.drawString("Redis locks compared: this library (ours-N) vs raw Jedis, Redisson, Spring Integration", 30, 36);
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
			g.drawString(subtitle, 30, 60);
			int top = 80;
			int panelWidth = (WIDTH - 90) / 2;
			int panelHeight = (HEIGHT - top - 40) / 2;
			latency(g, results, new Rectangle(30, top, panelWidth, panelHeight));
			throughput(g, results, new Rectangle(60 + panelWidth, top, panelWidth, panelHeight));
			contended(g, results, new Rectangle(30, top + panelHeight + 30, panelWidth, panelHeight));
			slowNode(g, results, new Rectangle(60 + panelWidth, top + panelHeight + 30, panelWidth, panelHeight));
		}
		finally {
			g.dispose();
		}
		try {
			Path parent = png.toAbsolutePath().getParent();
			Files.createDirectories(parent);
			ImageIO.write(image, "png", png.toFile());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void latency(Graphics2D g, JmhResults results, Rectangle area) {
		List<String> ids = results.implementations("UncontendedBenchmark");
		List<Series> series = List.of(new Series("p50", new Color(0x4292c6), new ArrayList<>()),
				new Series("p99", new Color(0xfdae6b), new ArrayList<>()));
		for (String id : ids) {
			Result r = results.find("UncontendedBenchmark", "lockAndUnlock", id).orElseThrow();
			series.get(0).values().add(r.percentile(50));
			series.get(1).values().add(r.percentile(99));
		}
		bars(g, area, "Uncontended lock + unlock latency, 1 thread (log scale, lower is better)", ids, series,
				Report::micros);
	}

	private static void contended(Graphics2D g, JmhResults results, Rectangle area) {
		List<String> ids = results.implementations("ContendedBenchmark");
		List<Series> series = List.of(new Series("acquired/s", new Color(0x9ecae1), new ArrayList<>()),
				new Series("handoffs/s", new Color(0x08519c), new ArrayList<>()));
		for (String id : ids) {
			Result r = results.find("ContendedBenchmark", "hotKey", id).orElseThrow();
			series.get(0).values().add(r.secondary("acquired"));
			series.get(1).values().add(r.secondary("handoffs"));
		}
		bars(g, area, "One hot key, 8 threads (log scale, higher is better)", ids, series,
				(v) -> Report.count(v) + "/s");
	}

	private static void slowNode(Graphics2D g, JmhResults results, Rectangle area) {
		List<String> ids = results.implementations("SlowNodeBenchmark");
		List<Series> series = List.of(new Series("p50, 5 fast nodes", new Color(0x4292c6), new ArrayList<>()),
				new Series("p50, node 5 +50 ms", new Color(0xe6550d), new ArrayList<>()));
		for (String id : ids) {
			Optional<Result> fast = results.find("SlowNodeBenchmark", "allFast", id);
			if (fast.isEmpty()) {
				fast = results.find("UncontendedBenchmark", "lockAndUnlock", id);
			}
			series.get(0).values().add(fast.map((r) -> r.percentile(50)).orElse(Double.NaN));
			series.get(1).values()
				.add(results.find("SlowNodeBenchmark", "oneSlowNode", id).orElseThrow().percentile(50));
		}
		bars(g, area, "Five nodes, one 50 ms slower: latency (log scale, lower is better)", ids, series,
				Report::micros);
	}

	private record Series(String name, Color color, List<Double> values) {
	}

	/** Horizontal grouped bars on a log scale, one group per implementation. */
	private static void bars(Graphics2D g, Rectangle area, String title, List<String> ids, List<Series> series,
			java.util.function.Function<Double, String> label) {
		frame(g, area, title);
		if (ids.isEmpty()) {
			return;
		}
		double min = Double.MAX_VALUE;
		double max = 0;
		for (Series s : series) {
			for (double v : s.values()) {
				if (v > 0 && !Double.isNaN(v)) {
					min = Math.min(min, v);
					max = Math.max(max, v);
				}
			}
		}
		if (max == 0) {
			return;
		}
		double low = Math.pow(10, Math.floor(Math.log10(min)));
		double high = Math.pow(10, Math.ceil(Math.log10(max * 1.05)));
		int left = area.x + 170;
		int right = area.x + area.width - 90;
		int plotTop = area.y + 60;
		int plotBottom = area.y + area.height - 40;
		java.util.function.DoubleUnaryOperator x = (v) -> left
				+ (Math.log10(v) - Math.log10(low)) / (Math.log10(high) - Math.log10(low)) * (right - left);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		for (double tick = low; tick <= high * 1.0001; tick *= 10) {
			int tx = (int) x.applyAsDouble(tick);
			g.setColor(GRID);
			g.drawLine(tx, plotTop, tx, plotBottom);
			g.setColor(Color.DARK_GRAY);
			String text = label.apply(tick);
			g.drawString(text, tx - g.getFontMetrics().stringWidth(text) / 2, plotBottom + 16);
		}
		double group = (double) (plotBottom - plotTop) / ids.size();
		double bar = Math.min(22, (group - 6) / series.size());
		for (int i = 0; i < ids.size(); i++) {
			int groupTop = (int) (plotTop + i * group + (group - bar * series.size()) / 2);
			g.setColor(Color.BLACK);
			g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
			String id = ids.get(i);
			FontMetrics metrics = g.getFontMetrics();
			g.drawString(id, left - 8 - metrics.stringWidth(id),
					(int) (groupTop + bar * series.size() / 2 + metrics.getAscent() / 2 - 2));
			g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
			for (int s = 0; s < series.size(); s++) {
				double v = series.get(s).values().get(i);
				int y = (int) (groupTop + s * bar);
				if (Double.isNaN(v) || v <= 0) {
					g.setColor(Color.GRAY);
					g.drawString("n/a", left + 4, (int) (y + bar - 4));
					continue;
				}
				int end = (int) x.applyAsDouble(Math.max(v, low));
				g.setColor(series.get(s).color());
				g.fillRect(left, y, Math.max(1, end - left), (int) bar - 2);
				g.setColor(Color.BLACK);
				g.drawString(label.apply(v), end + 4, (int) (y + bar - 5));
			}
		}
		legend(g, area, series.stream().map(Series::name).toList(), series.stream().map(Series::color).toList());
	}

	private static void throughput(Graphics2D g, JmhResults results, Rectangle area) {
		frame(g, area, "Throughput on distinct keys, lock + unlock per second (higher is better)");
		List<String> ids = results.implementations("ThroughputBenchmark");
		String[] methods = { "threads1", "threads2", "threads4", "threads8" };
		double max = 0;
		for (String id : ids) {
			for (String method : methods) {
				max = Math.max(max, results.find("ThroughputBenchmark", method, id).map(Result::score).orElse(0.0));
			}
		}
		if (ids.isEmpty() || max == 0) {
			return;
		}
		double step = niceStep(max / 5);
		double high = Math.ceil(max / step) * step;
		int left = area.x + 80;
		int right = area.x + area.width - 200;
		int plotTop = area.y + 60;
		int plotBottom = area.y + area.height - 50;
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		for (double tick = 0; tick <= high * 1.0001; tick += step) {
			int ty = (int) (plotBottom - tick / high * (plotBottom - plotTop));
			g.setColor(GRID);
			g.drawLine(left, ty, right, ty);
			g.setColor(Color.DARK_GRAY);
			String text = String.format(Locale.ROOT, "%,.0f", tick);
			g.drawString(text, left - 8 - g.getFontMetrics().stringWidth(text), ty + 4);
		}
		int[] xs = new int[methods.length];
		for (int m = 0; m < methods.length; m++) {
			xs[m] = left + (int) ((m + 0.5) * (right - left) / methods.length);
			g.setColor(Color.DARK_GRAY);
			String text = methods[m].substring("threads".length()) + ((m == 0) ? " thread" : " threads");
			g.drawString(text, xs[m] - g.getFontMetrics().stringWidth(text) / 2, plotBottom + 18);
		}
		g.setStroke(new BasicStroke(2.5f));
		List<Color> colors = new ArrayList<>();
		for (String id : ids) {
			Color color = PALETTE[Implementation.of(id).ordinal() % PALETTE.length];
			colors.add(color);
			g.setColor(color);
			int previousX = -1;
			int previousY = -1;
			for (int m = 0; m < methods.length; m++) {
				Optional<Result> r = results.find("ThroughputBenchmark", methods[m], id);
				if (r.isEmpty()) {
					continue;
				}
				int y = (int) (plotBottom - r.get().score() / high * (plotBottom - plotTop));
				g.fillOval(xs[m] - 4, y - 4, 8, 8);
				if (previousX >= 0) {
					g.drawLine(previousX, previousY, xs[m], y);
				}
				previousX = xs[m];
				previousY = y;
			}
		}
		g.setStroke(new BasicStroke(1f));
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
		for (int i = 0; i < ids.size(); i++) {
			int y = plotTop + 10 + i * 22;
			g.setColor(colors.get(i));
			g.fillRect(right + 20, y - 10, 14, 14);
			g.setColor(Color.BLACK);
			g.drawString(ids.get(i), right + 40, y + 2);
		}
	}

	private static double niceStep(double rough) {
		double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
		for (double factor : new double[] { 1, 2, 2.5, 5, 10 }) {
			if (factor * magnitude >= rough) {
				return factor * magnitude;
			}
		}
		return 10 * magnitude;
	}

	private static void frame(Graphics2D g, Rectangle area, String title) {
		g.setColor(new Color(0xfafafa));
		g.fillRect(area.x, area.y, area.width, area.height);
		g.setColor(new Color(0xbbbbbb));
		g.drawRect(area.x, area.y, area.width, area.height);
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
		g.drawString(title, area.x + 12, area.y + 24);
	}

	private static void legend(Graphics2D g, Rectangle area, List<String> names, List<Color> colors) {
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		int x = area.x + 14;
		int y = area.y + 44;
		for (int i = 0; i < names.size(); i++) {
			g.setColor(colors.get(i));
			g.fillRect(x, y - 10, 12, 12);
			g.setColor(Color.BLACK);
			g.drawString(names.get(i), x + 16, y);
			x += 30 + g.getFontMetrics().stringWidth(names.get(i));
		}
	}

}
