package dev.redlock.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code redis-server} executable: the one on the {@code PATH} when there is one (or the one
 * named by the {@code REDLOCK_REDIS_SERVER} environment variable), otherwise the binary shipped
 * inside the {@code embedded-redis} jar, extracted once to the temporary directory.
 *
 * @param path the executable
 * @param version the version it reports, such as {@code 7.0.15}
 */
public record RedisBinary(Path path, String version) {

	private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)");

	/** The binaries found so far, each looked for once per JVM. */
	private static final Map<String, RedisBinary> FOUND = new ConcurrentHashMap<>();

	/**
	 * Finds the executable, once per JVM.
	 * @return the binary
	 * @throws IllegalStateException if none can be found or run
	 */
	public static RedisBinary locate() {
		return FOUND.computeIfAbsent("located", (name) -> {
			Path path = fromEnvironment();
			if (path == null) {
				path = onPath();
			}
			return of((path != null) ? path : extractEmbedded());
		});
	}

	/**
	 * The binary shipped inside the {@code embedded-redis} jar (Redis 6.2 on Linux, built with its
	 * own allocator), extracted once per JVM, whatever the {@code PATH} holds: for tests that need
	 * that build, such as running a server under {@code libfaketime}.
	 * @return the binary
	 * @throws IllegalStateException if the jar is not on the classpath or the binary cannot run
	 */
	public static RedisBinary embedded() {
		return FOUND.computeIfAbsent("embedded", (name) -> of(extractEmbedded()));
	}

	private static RedisBinary of(Path path) {
		return new RedisBinary(path, versionOf(path));
	}

	/**
	 * The major version, such as {@code 7}.
	 * @return the major version
	 */
	public int majorVersion() {
		return Integer.parseInt(this.version.substring(0, this.version.indexOf('.')));
	}

	private static Path fromEnvironment() {
		String configured = System.getenv("REDLOCK_REDIS_SERVER");
		return (configured != null && !configured.isBlank()) ? Path.of(configured) : null;
	}

	private static Path onPath() {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String dir : path.split(File.pathSeparator)) {
			Path candidate = Path.of(dir, "redis-server");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	private static Path extractEmbedded() {
		String resource = embeddedResourceName();
		Path target = Path.of(System.getProperty("java.io.tmpdir"), "redlock-redis", resource);
		if (Files.isExecutable(target)) {
			return target;
		}
		try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server on the PATH, and " + resource
						+ " is not on the classpath: install Redis or add com.github.codemonstur:embedded-redis");
			}
			Files.createDirectories(target.getParent());
			Path temp = Files.createTempFile(target.getParent(), "redis-server", ".tmp");
			Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
			if (!temp.toFile().setExecutable(true)) {
				throw new IOException("cannot make " + temp + " executable");
			}
			Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return target;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot extract the embedded redis-server to " + target, ex);
		}
	}

	private static String embeddedResourceName() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		boolean arm = arch.contains("aarch64") || arch.contains("arm");
		if (os.contains("mac")) {
			return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
		}
		if (os.contains("win")) {
			return "redis-server-5.0.14.1-windows-amd64.exe";
		}
		if (arm) {
			return "redis-server-6.2.7-linux-arm64";
		}
		return (arch.contains("64")) ? "redis-server-6.2.6-v5-linux-amd64" : "redis-server-6.2.7-linux-386";
	}

	private static String versionOf(Path path) {
		try {
			Process process = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
			Matcher matcher = VERSION.matcher(output);
			if (!matcher.find()) {
				throw new IllegalStateException(path + " --version printed no version: " + output);
			}
			return matcher.group(1);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + path, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + path, ex);
		}
	}

}
