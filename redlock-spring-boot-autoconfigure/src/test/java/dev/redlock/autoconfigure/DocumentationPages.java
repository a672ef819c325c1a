package dev.redlock.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The documentation's pages ({@code README.md} and {@code docs/*.md}) and their examples. A
 * fenced {@code java}, {@code yaml} or {@code properties} block is preceded by a comment that names
 * its tested source, relative to this module's {@code src/test/java} or {@code src/test/resources}:
 *
 * <pre>
 * &lt;!-- example: dev/redlock/docs/SemanticsExamplesTests.java#fencing --&gt;
 * &lt;!-- example: docs/topologies.yaml --&gt;
 * </pre>
 *
 * <p>A {@code #name} names the lines between {@code tag::name[]} and {@code end::name[]} marker
 * comments (several such pieces are joined in order); without it, the whole file is the example.
 * A piece is shown with its common indentation removed (a leading tab counting as four spaces),
 * without marker lines, and with each {@code /*...*&#47;} elision: from the marker to the end of
 * its line, or to the close of the block it is in, the source reads {@code ...} in the page. So
 * {@code public Receipt pay(String id) { /*...*&#47; return charge(id); }} is shown as
 * {@code public Receipt pay(String id) { ... }} and compiles in the test.
 */
final class DocumentationPages {

	/** The languages whose blocks must name a tested source. */
	static final Set<String> TESTED_LANGUAGES = Set.of("java", "yaml", "yml", "properties");

	private static final Pattern FENCE = Pattern.compile("^(\\s*)```\\s*([\\w-]*)\\s*$");

	private static final Pattern EXAMPLE = Pattern.compile("^\\s*<!-- example: (\\S+) -->\\s*$");

	private static final Pattern MARKER = Pattern.compile("^\\s*(//|#) (tag|end)::[\\w-]+\\[\\]\\s*$");

	private static final String ELISION = "/*...*/";

	private DocumentationPages() {
	}

	/**
	 * The project's root: the nearest directory up from the working directory with the README and
	 * the Maven wrapper.
	 * @return the root
	 */
	static Path projectRoot() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("mvnw")))) {
			dir = dir.getParent();
		}
		if (dir == null) {
			throw new IllegalStateException("no README.md with an mvnw beside it above " + Path.of("").toAbsolutePath());
		}
		return dir;
	}

	/**
	 * This module's directory (where its {@code src/test} is).
	 * @return the module directory
	 */
	static Path moduleDir() {
		return projectRoot().resolve("redlock-spring-boot-autoconfigure");
	}

	/**
	 * The pages: {@code README.md}, then {@code docs/*.md} by name.
	 * @return the pages
	 */
	static List<Path> pages() {
		Path root = projectRoot();
		List<Path> pages = new ArrayList<>();
		pages.add(root.resolve("README.md"));
		try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return pages;
	}

	/**
	 * Every fenced block of a page.
	 * @param page the page
	 * @return its blocks, in order
	 */
	static List<Block> blocks(Path page) {
		List<String> lines = read(page);
		List<Block> blocks = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			Matcher open = FENCE.matcher(lines.get(i));
			if (!open.matches()) {
				continue;
			}
			String indent = open.group(1);
			int close = i + 1;
			while (close < lines.size() && !lines.get(close).strip().equals("```")) {
				close++;
			}
			if (close == lines.size()) {
				throw new IllegalStateException(page + ":" + (i + 1) + ": the block opened here is never closed");
			}
			List<String> body = new ArrayList<>();
			for (String line : lines.subList(i + 1, close)) {
				body.add(line.startsWith(indent) ? line.substring(indent.length()) : line.strip());
			}
			Matcher example = (i > 0) ? EXAMPLE.matcher(lines.get(i - 1)) : null;
			String source = (example != null && example.matches()) ? example.group(1) : null;
			blocks.add(new Block(page, i + 1, close + 1, open.group(2), indent, source, String.join("\n", body)));
			i = close;
		}
		return blocks;
	}

	/**
	 * The text a source shows in the pages.
	 * @param source {@code path#tag} or {@code path}, relative to {@code src/test/java} or
	 * {@code src/test/resources}
	 * @return the text
	 * @throws IllegalArgumentException if the file or the region is missing
	 */
	static String render(String source) {
		int hash = source.indexOf('#');
		String path = (hash < 0) ? source : source.substring(0, hash);
		Path file = sourceFile(path);
		return (hash < 0) ? String.join("\n", stripTrailingBlankLines(read(file)))
				: render(read(file), source.substring(hash + 1), source);
	}

	/**
	 * The text a tagged region shows in the pages.
	 * @param lines the source's lines
	 * @param tag the region's name
	 * @param what the source, for messages
	 * @return the text
	 */
	static String render(List<String> lines, String tag, String what) {
		List<String> shown = new ArrayList<>();
		List<String> piece = null;
		int pieces = 0;
		for (String line : lines) {
			String stripped = line.strip();
			if (stripped.endsWith("tag::" + tag + "[]") && MARKER.matcher(line).matches()) {
				piece = new ArrayList<>();
			}
			else if (stripped.endsWith("end::" + tag + "[]") && MARKER.matcher(line).matches()) {
				if (piece == null) {
					throw new IllegalArgumentException(what + ": end::" + tag + "[] without tag::" + tag + "[]");
				}
				shown.addAll(dedent(piece));
				piece = null;
				pieces++;
			}
			else if (piece != null && !MARKER.matcher(line).matches()) {
				piece.add(elide(line));
			}
		}
		if (piece != null) {
			throw new IllegalArgumentException(what + ": tag::" + tag + "[] is never closed by end::" + tag + "[]");
		}
		if (pieces == 0) {
			throw new IllegalArgumentException(what + ": no region tag::" + tag + "[] … end::" + tag + "[]");
		}
		return String.join("\n", stripTrailingBlankLines(shown));
	}

	/**
	 * A source line as the pages show it: an elision marker and the code after it, up to the end
	 * of the line or the close of the block the marker is in, read {@code ...}.
	 * @param line the source line
	 * @return the line as shown
	 */
	static String elide(String line) {
		int at = line.indexOf(ELISION);
		if (at < 0) {
			return line;
		}
		int depth = 0;
		int end = line.length();
		for (int i = at + ELISION.length(); i < line.length(); i++) {
			char c = line.charAt(i);
			if (c == '{') {
				depth++;
			}
			else if (c == '}' && depth-- == 0) {
				end = i;
				break;
			}
		}
		if (end == line.length()) {
			return line.substring(0, at) + "...";
		}
		int spaceFrom = end;
		while (spaceFrom > at + ELISION.length() && line.charAt(spaceFrom - 1) == ' ') {
			spaceFrom--;
		}
		return line.substring(0, at) + "..." + line.substring(spaceFrom);
	}

	private static List<String> dedent(List<String> piece) {
		List<String> expanded = piece.stream().map(DocumentationPages::expandLeadingTabs).toList();
		int common = expanded.stream()
			.filter((line) -> !line.isBlank())
			.mapToInt((line) -> line.length() - line.stripLeading().length())
			.min()
			.orElse(0);
		return expanded.stream().map((line) -> line.isBlank() ? "" : line.substring(common)).toList();
	}

	private static String expandLeadingTabs(String line) {
		int tabs = 0;
		while (tabs < line.length() && line.charAt(tabs) == '\t') {
			tabs++;
		}
		return "    ".repeat(tabs) + line.substring(tabs);
	}

	private static List<String> stripTrailingBlankLines(List<String> lines) {
		int end = lines.size();
		while (end > 0 && lines.get(end - 1).isBlank()) {
			end--;
		}
		int start = 0;
		while (start < end && lines.get(start).isBlank()) {
			start++;
		}
		return lines.subList(start, end);
	}

	/**
	 * The file a source names.
	 * @param path relative to {@code src/test/java} or {@code src/test/resources}
	 * @return the file
	 */
	static Path sourceFile(String path) {
		for (String root : List.of("src/test/java", "src/test/resources")) {
			Path file = moduleDir().resolve(root).resolve(path);
			if (Files.isRegularFile(file)) {
				return file;
			}
		}
		throw new IllegalArgumentException("no file " + path + " in src/test/java or src/test/resources of "
				+ moduleDir().getFileName());
	}

	/**
	 * Writes each tested block of a page from its source (the update mode).
	 * @param page the page
	 * @return whether the page changed
	 */
	static boolean update(Path page) {
		List<String> lines = new ArrayList<>(read(page));
		List<Block> blocks = blocks(page);
		boolean changed = false;
		for (int b = blocks.size() - 1; b >= 0; b--) {
			Block block = blocks.get(b);
			if (block.source() == null) {
				continue;
			}
			String shown = render(block.source());
			if (shown.equals(block.text())) {
				continue;
			}
			List<String> body = shown.lines().map((line) -> line.isEmpty() ? "" : block.indent() + line).toList();
			List<String> region = lines.subList(block.openLine(), block.closeLine() - 1);
			region.clear();
			region.addAll(body);
			changed = true;
		}
		if (changed) {
			try {
				Files.writeString(page, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return changed;
	}

	private static List<String> read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8).lines().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A fenced block of a page.
	 *
	 * @param page the page
	 * @param openLine the line of the opening fence, from 1
	 * @param closeLine the line of the closing fence, from 1
	 * @param language the block's language, empty if none
	 * @param indent the fence's indentation (a block inside a list item)
	 * @param source the tested source the comment before it names, or {@code null}
	 * @param text the block's text, without the fence's indentation
	 */
	record Block(Path page, int openLine, int closeLine, String language, String indent, String source, String text) {

		boolean tested() {
			return TESTED_LANGUAGES.contains(this.language);
		}

		String where() {
			return projectRoot().relativize(this.page) + ":" + this.openLine;
		}

	}

}
