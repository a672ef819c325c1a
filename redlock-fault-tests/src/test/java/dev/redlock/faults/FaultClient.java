package dev.redlock.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import dev.redlock.LockTemplate;
import dev.redlock.autoconfigure.LockLostEvent;
import dev.redlock.core.NodeStatus;
import dev.redlock.core.Redlock;

import static org.awaitility.Awaitility.await;

/**
 * The main class of one client JVM of the fault suite: a Spring Boot application on the starter
 * (its auto-configured {@link LockTemplate}, restart guard and lock-loss events), with a few
 * {@link LockWorker}s. The suite steers it through standard input, one command a line, and reads
 * its answers from standard output, on lines that begin with {@value #ANSWER}:
 * <ul>
 * <li>at start, once every node counts: {@code @@ READY <pid>}</li>
 * <li>{@code CLOCK}: {@code @@ CLOCK <System.nanoTime()>}</li>
 * <li>{@code GO}: the workers start (again) taking locks</li>
 * <li>{@code FENCED}: {@code @@ FENCED <fenced holds in progress>}, so that a pause can be aimed at a
 * client that holds one and will write late</li>
 * <li>{@code QUIESCE}: the workers finish what they hold and take no new lock;
 * {@code @@ IDLE <locks granted so far>} once they all rest</li>
 * <li>{@code STOP}: the client closes the application, flushes its history and answers
 * {@code @@ STOPPED} before it exits</li>
 * </ul>
 */
public final class FaultClient {

	/** The beginning of every line of the client that answers the suite. */
	static final String ANSWER = "@@ ";

	private final ClientConfig config;

	private final HistoryWriter history;

	private final Map<String, String> holdsByOwnerAndKey = new ConcurrentHashMap<>();

	private final AtomicLong sequence = new AtomicLong();

	private final AtomicLong grants = new AtomicLong();

	private final AtomicInteger fencedHolds = new AtomicInteger();

	private final Random random;

	private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor();

	private volatile boolean working;

	private List<Thread> workers = List.of();

	private FaultClient(ClientConfig config) {
		this.config = config;
		this.history = new HistoryWriter(config.history());
		this.random = new Random(config.seed());
	}

	/**
	 * Runs a client.
	 * @param args the path of its {@link ClientConfig} properties
	 * @throws IOException if standard input fails
	 */
	public static void main(String[] args) throws IOException {
		new FaultClient(ClientConfig.read(Path.of(args[0]))).run();
	}

	private void run() throws IOException {
		this.flusher.scheduleWithFixedDelay(this.history::flush, 200, 200, TimeUnit.MILLISECONDS);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.NONE)
			.properties(Map.<String, Object>copyOf(this.config.spring()))
			.run();
		// a lost lock is told by its owner (the worker thread that took it) and its key
		context.addApplicationListener((ApplicationListener<LockLostEvent>) (event) -> {
			String key = event.getLock().key();
			String hold = this.holdsByOwnerAndKey.getOrDefault(event.getLock().owner() + "|" + key.split(",")[0], "?");
			this.history.lost(System.nanoTime(), hold, key);
		});
		LockTemplate template = context.getBean(LockTemplate.class);
		// nodes the restart guard still holds out would make the first phase look like a fault
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
			.until(() -> context.getBean(Redlock.class).probe().stream().allMatch(FaultClient::counts));
		answer("READY " + ProcessHandle.current().pid());
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		for (String command = commands.readLine(); command != null; command = commands.readLine()) {
			switch (command.trim()) {
				case "CLOCK" -> answer("CLOCK " + System.nanoTime());
				case "GO" -> start(template);
				case "FENCED" -> answer("FENCED " + this.fencedHolds.get());
				case "QUIESCE" -> {
					quiesce();
					answer("IDLE " + this.grants.get());
				}
				case "STOP" -> {
					quiesce();
					context.close();
					this.flusher.shutdownNow();
					this.history.close();
					answer("STOPPED");
					return;
				}
				default -> answer("UNKNOWN " + command);
			}
		}
	}

	private static boolean counts(NodeStatus status) {
		return status.lockable() && status.problem().isEmpty();
	}

	private void start(LockTemplate template) {
		if (this.working) {
			return;
		}
		this.working = true;
		List<Thread> started = new ArrayList<>();
		for (int i = 0; i < this.config.workers(); i++) {
			LockWorker worker = new LockWorker(this.config, template, this.history, new Random(this.random.nextLong()),
					this.sequence, this.grants, this.fencedHolds, this.holdsByOwnerAndKey, () -> this.working);
			Thread thread = new Thread(worker, this.config.name() + "-worker-" + i);
			thread.start();
			started.add(thread);
		}
		this.workers = started;
	}

	private void quiesce() {
		this.working = false;
		for (Thread worker : this.workers) {
			try {
				worker.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
		this.workers = List.of();
		this.history.flush();
	}

	private static void answer(String text) {
		System.out.println(ANSWER + text);
		System.out.flush();
	}

	/** The application: nothing but the auto-configuration of the starter. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
