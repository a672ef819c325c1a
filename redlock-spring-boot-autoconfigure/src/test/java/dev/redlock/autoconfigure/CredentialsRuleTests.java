package dev.redlock.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RedisServersExtension;
import dev.redlock.test.RespConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One rule for credentials that do not fit a node, on real servers with and without
 * {@code requirepass}: at startup a wrong password, no password for a node that requires one, and
 * a password for a node that has none all stop the startup, naming the node and its entry; while
 * running, a node whose password changed under the application is held out with a warning that
 * names it and says that its credentials no longer fit.
 */
@ExtendWith(OutputCaptureExtension.class)
class CredentialsRuleTests {

	private static final String PASSWORD = "node-Pa55";

	@RegisterExtension
	static final RedisServersExtension open = new RedisServersExtension(3);

	private static RedisServerProcess protectedNode;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=false", "redlock.node-timeout=300ms");

	@BeforeAll
	static void startProtectedNode() {
		protectedNode = RedisServerProcess.start("--requirepass", PASSWORD);
	}

	@AfterAll
	static void stopProtectedNode() {
		if (protectedNode != null) {
			protectedNode.close();
		}
	}

	private static String hostPort(RedisServerProcess server) {
		return RedisServerProcess.HOST + ":" + server.port();
	}

	/** Three members: open node 0, the given second member, open node 2. */
	private static String nodes(String second) {
		return open.get(0).uri() + "," + second + "," + open.get(2).uri();
	}

	@Test
	void aPasswordForANodeThatHasNoneShouldStopTheStartupNamingTheNode() {
		assertCredentialsFailure(nodes("redis://:" + PASSWORD + "@" + hostPort(open.get(1))), "redlock.nodes[1]",
				open.get(1), "has no password set, but the application sends one", "no password at all if the node has none");
	}

	@Test
	void aPasswordForTheOnlyNodeThatHasNoneShouldStopTheStartup() {
		assertCredentialsFailure("redis://:" + PASSWORD + "@" + hostPort(open.get(0)), "redlock.nodes[0]", open.get(0),
				"has no password set, but the application sends one", "no password at all if the node has none");
	}

	@Test
	void aWrongPasswordShouldStopTheStartupNamingTheNode() {
		assertCredentialsFailure(nodes("redis://:not-the-Pa55@" + hostPort(protectedNode)), "redlock.nodes[1]",
				protectedNode, "refused the user name or password", "redlock.nodes[1] (redis://user:password@host:port)");
	}

	@Test
	void noPasswordForANodeThatRequiresOneShouldStopTheStartupNamingTheNode() {
		assertCredentialsFailure(nodes(protectedNode.uri()), "redlock.nodes[1]", protectedNode,
				"refused the user name or password", "redlock.nodes[1] (redis://user:password@host:port)");
	}

	@Test
	void theRightPasswordShouldLock() {
		this.runner.withPropertyValues("redlock.nodes=" + nodes("redis://:" + PASSWORD + "@" + hostPort(protectedNode)))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				boolean valid = context.getBean(LockTemplate.class).execute("pay:1", (handle) -> handle.isValid());
				assertThat(valid).isTrue();
			});
	}

	@Test
	void aNodeWhosePasswordChangesWhileRunningShouldBeHeldOutWithAWarningNamingIt(CapturedOutput output)
			throws IOException {
		assertRuntimeMismatchesAreLogged(this.runner, output);
	}

	@Test
	void withTheRestartGuardTheProbesShouldTellAPasswordChangeWhileRunning(CapturedOutput output)
			throws IOException {
		// a node that failed is held out and sent no calls: only the probes can see why it stays out
		assertRuntimeMismatchesAreLogged(this.runner.withPropertyValues("redlock.restart-guard.enabled=true",
				"redlock.restart-guard.hold-out=1s", "redlock.lease-time=1s",
				"redlock.restart-guard.check-interval=200ms"), output);
	}

	private static void assertRuntimeMismatchesAreLogged(ApplicationContextRunner runner, CapturedOutput output)
			throws IOException {
		RedisServerProcess loses = open.get(1);
		try (RedisServerProcess gains = RedisServerProcess.start("--requirepass", PASSWORD)) {
			String members = open.get(0).uri() + ",redis://:" + PASSWORD + "@" + hostPort(gains) + "," + loses.uri();
			runner.withPropertyValues("redlock.nodes=" + members).run((context) -> {
				assertThat(context).hasNotFailed();
				LockTemplate template = context.getBean(LockTemplate.class);
				// node 1 drops its password (the application still sends one), node 2 gets one (the
				// application sends none); both drop their connections, so that the next one logs in
				RespConnection.call(RedisServerProcess.HOST, gains.port(), 5000, PASSWORD, "CONFIG", "SET",
						"requirepass", "");
				RespConnection.call(RedisServerProcess.HOST, gains.port(), 5000, null, "CLIENT", "KILL", "TYPE",
						"normal");
				loses.call("CONFIG", "SET", "requirepass", "another-Pa55");
				RespConnection.call(RedisServerProcess.HOST, loses.port(), 5000, "another-Pa55", "CLIENT", "KILL",
						"TYPE", "normal");
				await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
					// a lock or none: the calls let the engine find out
					template.tryAcquire("pay:2", Duration.ofSeconds(1), Duration.ZERO).ifPresent(LockHandle::close);
					return warning(output, hostPort(gains)) != null && warning(output, hostPort(loses)) != null;
				});
			});
			assertThat(warning(output, hostPort(gains))).contains("has no password set, but the application sends one")
				.contains("remove the password from this node's URI");
			assertThat(warning(output, hostPort(loses))).contains("refused the user name or password")
				.contains("give this node's user and password in its URI");
		}
		finally {
			RespConnection.call(RedisServerProcess.HOST, loses.port(), 5000, "another-Pa55", "CONFIG", "SET",
					"requirepass", "");
		}
	}

	/** The node's warning that names a credentials problem (a broken connection may come first). */
	private static String warning(CapturedOutput output, String node) {
		return output.getOut()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("Redlock node " + node + " is unusable")
					&& line.contains("password"))
			.findFirst()
			.orElse(null);
	}

	private void assertCredentialsFailure(String members, String entry, RedisServerProcess node, String problem,
			String action) {
		this.runner.withPropertyValues("redlock.nodes=" + members).run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			List<Throwable> chain = new ArrayList<>();
			for (Throwable cause = failure; cause != null && !chain.contains(cause); cause = cause.getCause()) {
				chain.add(cause);
			}
			RedlockConfigurationException cause = chain.stream()
				.filter(RedlockConfigurationException.class::isInstance)
				.map(RedlockConfigurationException.class::cast)
				.findFirst()
				.orElseThrow(() -> new AssertionError("no RedlockConfigurationException in " + chain));
			assertThat(cause.getProperty()).isEqualTo(entry);
			assertThat(cause.getDescription()).contains("node " + hostPort(node)).contains(problem)
				.doesNotContain(PASSWORD);
			FailureAnalysis analysis = new RedlockConfigurationFailureAnalyzer().analyze(failure);
			assertThat(analysis.getDescription()).contains(entry).contains(hostPort(node));
			assertThat(analysis.getAction()).contains(action).contains(entry);
		});
	}

}
