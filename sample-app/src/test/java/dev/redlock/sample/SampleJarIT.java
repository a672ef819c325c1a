package dev.redlock.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the packaged sample the way the README does, {@code java -jar sample-app.jar}, as a child
 * process on a random port, and reads what it prints (kept in {@code target/sample-jar-it.log}).
 */
class SampleJarIT {

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private static final Pattern REDIS_PORT = Pattern.compile("redis://127\\.0\\.0\\.1:(\\d+)");

	private Path log;

	private Process process;

	@AfterEach
	void stop() throws InterruptedException {
		// SIGTERM first, so that the sample's shutdown hook stops its redis-server processes
		if (this.process != null && this.process.isAlive()) {
			this.process.destroy();
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void theJarShouldRunTheDemoWithoutDoublePaymentsServeRequestsAndStopItsNodes() throws Exception {
		start(jar(), "--server.port=0");
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(200))
			.failFast("the sample exited", () -> !this.process.isAlive())
			.until(() -> line("DEMO SUMMARY:").isPresent());
		String summary = line("DEMO SUMMARY:").orElseThrow();
		assertThat(summary).contains("double-payments=0", "nodes=5", "quorum=3", "nodes-killed=2")
			.containsPattern("attempts=[1-9]\\d* acquired=[1-9]\\d* refused=\\d+");
		assertThat(output()).anyMatch((line) -> line.contains("2 nodes killed"));

		int port = port();
		HttpResponse<String> pay = post(port, "/orders/smoke-1/pay");
		assertThat(pay.statusCode()).isEqualTo(201);
		assertThat(pay.body()).contains("\"orderId\":\"smoke-1\"");
		HttpResponse<String> health = get(port, "/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"");

		List<Integer> redisPorts = redisPorts();
		assertThat(redisPorts).hasSize(5);
		this.process.destroy();
		assertThat(this.process.waitFor(30, TimeUnit.SECONDS)).as("the sample stops on SIGTERM").isTrue();
		assertThat(output()).anyMatch((line) -> line.contains("Stopped the 5 embedded Redis nodes"));
		assertThat(redisPorts).allSatisfy((redisPort) -> assertThat(accepts(redisPort)).isFalse());
	}

	private static Path jar() {
		Path jar = Path.of(System.getProperty("sample.jar", "target/sample-app-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the packaged sample (run through mvn verify)").isRegularFile();
		return jar;
	}

	private void start(Path jar, String... args) throws IOException {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
		command.addAll(List.of(args));
		// a file, not a pipe: the JDK may close a pipe under a reading thread when the process exits
		this.log = jar.resolveSibling("sample-jar-it.log");
		this.process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.log.toFile())
			.start();
	}

	private List<String> output() {
		try {
			return Files.readAllLines(this.log, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private Optional<String> line(String text) {
		return output().stream().filter((line) -> line.contains(text)).findFirst();
	}

	private int port() {
		Matcher matcher = PORT.matcher(line("Tomcat started on port").orElseThrow());
		assertThat(matcher.find()).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	private List<Integer> redisPorts() {
		String started = line("started 5 redis-server").orElseThrow();
		Matcher matcher = REDIS_PORT.matcher(started);
		List<Integer> ports = new ArrayList<>();
		while (matcher.find()) {
			ports.add(Integer.parseInt(matcher.group(1)));
		}
		return ports;
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static HttpResponse<String> post(int port, String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(port, path)).POST(HttpRequest.BodyPublishers.noBody()));
	}

	private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(port, path)).GET());
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static URI uri(int port, String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

}
