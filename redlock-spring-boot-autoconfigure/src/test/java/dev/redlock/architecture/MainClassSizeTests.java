package dev.redlock.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No main class over {@value #LIMIT} lines of code: lines that hold something other than blanks,
 * comments and javadoc. Every module's {@code src/main/java} is counted (the library, the test
 * support, the sample, and any module that gains main code) but the benchmarks', which are not
 * shipped.
 */
class MainClassSizeTests {

	static final int LIMIT = 200;

	/** Modules whose main code is not counted, relative to the project root. */
	private static final Set<String> NOT_COUNTED = Set.of("benchmarks");

	/**
	 * Files still over the limit, relative to the project root; shrink them and take them off. An
	 * entry that is no longer over fails the test too, so the list only ever gets shorter.
	 */
	private static final Set<String> ALLOWED = Set.of();

	@Test
	void noMainClassIsOverTheLimit() {
		TreeMap<String, Integer> over = new TreeMap<>();
		TreeMap<String, Integer> counted = new TreeMap<>();
		Path root = projectRoot();
		List<Path> sourceRoots = mainSourceRoots(root);
		assertThat(sourceRoots).as("main source roots under %s", root)
			.contains(root.resolve("redlock-spring-boot-autoconfigure/src/main/java"));
		for (Path sources : sourceRoots) {
			for (Path file : javaFiles(sources)) {
				String name = root.relativize(file).toString().replace('\\', '/');
				int lines = linesOfCode(read(file));
				counted.put(name, lines);
				if (lines > LIMIT && !ALLOWED.contains(name)) {
					over.put(name, lines);
				}
			}
		}
		assertThat(over).as("main classes over %d lines of code (split them by what they do)", LIMIT).isEmpty();
		List<String> stale = new ArrayList<>();
		for (String name : ALLOWED) {
			Integer lines = counted.get(name);
			if (lines == null || lines <= LIMIT) {
				stale.add(name + " (" + (lines == null ? "gone" : lines + " lines of code") + ")");
			}
		}
		assertThat(stale).as("allow-listed files no longer over %d: take them off MainClassSizeTests.ALLOWED", LIMIT)
			.isEmpty();
	}

	@Test
	void linesOfCodeLeaveOutBlanksCommentsAndJavadoc() {
		String source = """
				/**
				 * Javadoc, not counted.
				 */
				class A { // counted, the comment does not hide the code

					/* a block comment */ int a = 1;
					/*
					 * a block comment over lines
					 */
					String url = "http://x/*not a comment*/"; // counted once
					char quote = '"';
					// a line comment
					String block = \"""
						a text block line with // in it
						\""";
				}
				""";
		assertThat(linesOfCode(source)).isEqualTo(8);
	}

	/**
	 * Counts the lines that hold code: a line counts when something outside a comment is on it;
	 * text inside a string, character or text-block literal is code.
	 * @param source the Java source
	 * @return the lines of code
	 */
	static int linesOfCode(String source) {
		int count = 0;
		boolean inComment = false;
		boolean inTextBlock = false;
		for (String line : source.split("\n", -1)) {
			boolean code = false;
			int i = 0;
			while (i < line.length()) {
				if (inComment) {
					int end = line.indexOf("*/", i);
					inComment = end < 0;
					i = (end < 0) ? line.length() : end + 2;
				}
				else if (inTextBlock) {
					code = true;
					int end = line.indexOf("\"\"\"", i);
					inTextBlock = end < 0;
					i = (end < 0) ? line.length() : end + 3;
				}
				else if (line.startsWith("//", i)) {
					break;
				}
				else if (line.startsWith("/*", i)) {
					inComment = true;
					i += 2;
				}
				else if (line.startsWith("\"\"\"", i)) {
					code = true;
					inTextBlock = true;
					i += 3;
				}
				else {
					char c = line.charAt(i);
					if (c == '"' || c == '\'') {
						i = endOfLiteral(line, i);
						code = true;
					}
					else {
						code |= !Character.isWhitespace(c);
						i++;
					}
				}
			}
			if (code) {
				count++;
			}
		}
		return count;
	}

	private static int endOfLiteral(String line, int start) {
		char quote = line.charAt(start);
		int i = start + 1;
		while (i < line.length() && line.charAt(i) != quote) {
			i += (line.charAt(i) == '\\') ? 2 : 1;
		}
		return i + 1;
	}

	private static List<Path> mainSourceRoots(Path root) {
		try (Stream<Path> dirs = Files.walk(root, 5)) {
			return dirs.filter((dir) -> dir.endsWith(Path.of("src", "main", "java")) && Files.isDirectory(dir))
				.filter((dir) -> counted(root.relativize(dir)))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Whether a source root is counted: not a benchmark's, not build output, not hidden. */
	private static boolean counted(Path sourceRoot) {
		if (NOT_COUNTED.contains(sourceRoot.getName(0).toString())) {
			return false;
		}
		for (Path part : sourceRoot) {
			if (part.toString().equals("target") || part.toString().startsWith(".")) {
				return false;
			}
		}
		return true;
	}

	private static List<Path> javaFiles(Path sources) {
		try (Stream<Path> files = Files.walk(sources)) {
			return files.filter((file) -> file.toString().endsWith(".java")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path projectRoot() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("mvnw")))) {
			dir = dir.getParent();
		}
		assertThat(dir).as("a directory with README.md and mvnw above %s", Path.of("").toAbsolutePath()).isNotNull();
		return dir;
	}

}
