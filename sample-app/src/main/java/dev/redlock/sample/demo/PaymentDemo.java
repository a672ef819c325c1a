package dev.redlock.sample.demo;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

import dev.redlock.autoconfigure.RedlockProperties;
import dev.redlock.core.RedlockSettings;
import dev.redlock.sample.embedded.EmbeddedRedisNodes;
import dev.redlock.test.RedisServerProcess;

/**
 * A short demo on start-up: several simulated instances pay the same orders at once, first
 * without a lock (to show the double payments a lock prevents), then with Redlock on all nodes;
 * when the sample started its own nodes it then kills a minority of them, shows locking goes on
 * with the remaining quorum, restarts them and shows it once more. Prints a table and a line
 * starting with {@value DemoReport#SUMMARY_PREFIX}. Turn it off with
 * {@code sample.demo.enabled=false}.
 */
public class PaymentDemo implements ApplicationRunner {

	private static final Logger logger = LoggerFactory.getLogger(PaymentDemo.class);

	private static final Duration LEASE_TIME = Duration.ofSeconds(10);

	private final DemoProperties properties;

	private final RedlockProperties redlock;

	private final EmbeddedRedisNodes embeddedNodes;

	/**
	 * Creates the demo.
	 * @param properties the demo's settings
	 * @param redlock the lock settings and nodes of the application
	 * @param embeddedNodes the nodes the sample started, or {@code null} when
	 * {@code redlock.nodes} names your own (then no node is killed)
	 */
	public PaymentDemo(DemoProperties properties, RedlockProperties redlock, EmbeddedRedisNodes embeddedNodes) {
		this.properties = properties;
		this.redlock = redlock;
		this.embeddedNodes = embeddedNodes;
	}

	@Override
	public void run(ApplicationArguments args) {
		try {
			runDemo();
		}
		catch (RuntimeException ex) {
			logger.warn("The demo failed; the application runs on", ex);
		}
	}

	/** The application's restart guard hold-out, or {@code null} if its guard is off. */
	private Duration holdOut() {
		RedlockProperties.RestartGuard guard = this.redlock.getRestartGuard();
		if (!guard.isEnabled()) {
			return null;
		}
		Duration holdOut = (guard.getHoldOut() != null) ? guard.getHoldOut() : this.redlock.getLeaseTime();
		return (holdOut.compareTo(LEASE_TIME) >= 0) ? holdOut : LEASE_TIME;
	}

	private void runDemo() {
		List<String> uris = this.redlock.getNodes();
		RedlockSettings settings = new RedlockSettings(LEASE_TIME, Duration.ZERO, this.redlock.getRetryDelay(),
				this.redlock.getRetryJitter(), this.redlock.getNodeTimeout(), this.redlock.getDriftFactor(),
				(this.redlock.getKeyPrefix() != null) ? this.redlock.getKeyPrefix() : "");
		List<SimulatedInstance> instances = new ArrayList<>();
		List<RoundResult> rounds = new ArrayList<>();
		int killed = 0;
		try {
			for (int i = 1; i <= this.properties.instances(); i++) {
				instances.add(SimulatedInstance.connect("instance-" + i, uris, settings,
						this.properties.threadsPerInstance(), holdOut(), this.redlock.getRestartGuard().getCheckInterval()));
			}
			int quorum = instances.get(0).quorum();
			logger.info("Demo: {} simulated instances x {} threads pay the same {} orders per phase, on {} nodes "
					+ "(a lock needs {})", instances.size(), this.properties.threadsPerInstance(),
					this.properties.ordersPerPhase(), uris.size(), quorum);
			PaymentRace race = new PaymentRace(instances, this.properties, runId());
			rounds.add(race.run("no lock (control)", false));
			rounds.add(race.run("all nodes up", true));
			killed = killableNodes(uris.size());
			if (killed > 0) {
				List<RedisServerProcess> victims = this.embeddedNodes.servers().subList(uris.size() - killed, uris.size());
				victims.forEach(RedisServerProcess::kill);
				logger.info("Demo: killed {} of {} nodes ({}); {} remain, a lock needs {}", killed, uris.size(),
						victims.stream().map(RedisServerProcess::uri).toList(), uris.size() - killed, quorum);
				rounds.add(race.run(killed + " nodes killed", true));
				victims.forEach(RedisServerProcess::restart);
				logger.info("Demo: restarted the {} killed nodes on their ports", killed);
				rounds.add(race.run("nodes restarted", true));
			}
			else {
				logger.info("Demo: not killing nodes ({})", (this.embeddedNodes == null)
						? "redlock.nodes names your own servers" : "too few nodes to lose any");
			}
			logger.info("Demo results:{}{}", System.lineSeparator(), DemoReport.table(rounds));
			logger.info("{}", DemoReport.summary(rounds, killed, quorum));
		}
		finally {
			instances.forEach(SimulatedInstance::close);
		}
	}

	/**
	 * How many nodes can be lost with a quorum left: a minority, {@code (N-1)/2}; none unless the
	 * sample started the nodes itself.
	 */
	private int killableNodes(int nodes) {
		if (this.embeddedNodes == null || this.embeddedNodes.servers().size() != nodes) {
			return 0;
		}
		return (nodes - 1) / 2;
	}

	private static String runId() {
		byte[] bytes = new byte[3];
		new SecureRandom().nextBytes(bytes);
		return "demo-" + HexFormat.of().formatHex(bytes);
	}

}
