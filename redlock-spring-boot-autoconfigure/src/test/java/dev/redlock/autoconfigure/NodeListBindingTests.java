package dev.redlock.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import dev.redlock.LockTemplate;
import dev.redlock.core.LockNode;
import dev.redlock.core.Redlock;
import dev.redlock.test.RedisSentinelGroup;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code redlock.nodes} as users write it, on real servers: a Sentinel URI (which holds commas) in
 * a comma-separated application.properties value, next to standalone nodes, binds as meant; the
 * indexed form and a YAML list keep working; a piece of a URI that cannot be put back together
 * gets an error that says what to write; a single listed node gets the efficiency-lock warning.
 */
@ExtendWith(OutputCaptureExtension.class)
class NodeListBindingTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(2);

	private static RedisSentinelGroup sentinel;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedlockAutoConfiguration.class))
		// the extension empties the servers before each test, which the guard would take for lost data
		.withPropertyValues("redlock.restart-guard.enabled=false");

	@BeforeAll
	static void startSentinels() {
		sentinel = RedisSentinelGroup.start();
	}

	@AfterAll
	static void stopSentinels() {
		if (sentinel != null) {
			sentinel.close();
		}
	}

	private static String hostPort(String uri) {
		return uri.substring(uri.indexOf("://") + 3);
	}

	/** The Sentinel member and two standalone masters, as the engine names them. */
	private static List<String> expectedNodes() {
		String seeds = hostPort(sentinel.uri()).substring(0, hostPort(sentinel.uri()).lastIndexOf('/'));
		return List.of("sentinel:" + RedisSentinelGroup.MASTER_NAME + "@" + seeds, hostPort(redis.get(0).uri()),
				hostPort(redis.get(1).uri()));
	}

	private static void assertLocksOnTheThreeMembers(ApplicationContext context) {
		Redlock redlock = context.getBean(Redlock.class);
		assertThat(redlock.nodes().stream().map(LockNode::name).toList()).containsExactlyElementsOf(expectedNodes());
		boolean valid = context.getBean(LockTemplate.class).execute("orders:1", (handle) -> handle.isValid());
		assertThat(valid).isTrue();
	}

	@Test
	void aSentinelUriInACommaSeparatedPropertyShouldBindAsOneNode() {
		String value = sentinel.uri() + "," + redis.get(0).uri() + "," + redis.get(1).uri();
		assertThat(value.split(",")).as("the value holds more commas than nodes").hasSizeGreaterThan(3);
		this.runner.withPropertyValues("redlock.nodes=" + value)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertLocksOnTheThreeMembers(context);
			});
	}

	@Test
	void indexedEntriesShouldStillBindOneNodeEach() {
		this.runner
			.withPropertyValues("redlock.nodes[0]=" + sentinel.uri(), "redlock.nodes[1]=" + redis.get(0).uri(),
					"redlock.nodes[2]=" + redis.get(1).uri())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertLocksOnTheThreeMembers(context);
			});
	}

	@Test
	void aYamlListShouldStillBindOneNodeEach() {
		String yaml = "redlock:\n  nodes:\n    - " + sentinel.uri() + "\n    - " + redis.get(0).uri() + "\n    - "
				+ redis.get(1).uri() + "\n";
		this.runner.withInitializer((context) -> context.getEnvironment().getPropertySources().addFirst(yaml(yaml)))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertLocksOnTheThreeMembers(context);
			});
	}

	@Test
	void aPieceOfAUriShouldBeReportedWithWhatToWrite() {
		this.runner.withPropertyValues("redlock.nodes=redis://:pass,word@" + hostPort(redis.get(0).uri()))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasStackTraceContaining("RedlockConfigurationException")
					.hasStackTraceContaining("Invalid property 'redlock.nodes[0]'")
					.hasStackTraceContaining("without a scheme (******@")
					.hasStackTraceContaining("split at every comma")
					.hasStackTraceContaining("redlock.nodes[0]=redis://:pass,word@10.0.0.1:6379");
			});
	}

	@Test
	void oneNodeInRedlockNodesShouldGetTheEfficiencyLockWarning(CapturedOutput output) {
		this.runner.withPropertyValues("redlock.nodes=" + redis.get(0).uri()).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(Redlock.class).nodes()).hasSize(1);
		});
		String warning = output.getOut()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("efficiency lock"))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no efficiency-lock warning in:\n" + output.getOut()));
		assertThat(warning).contains("redlock.nodes lists one node (" + hostPort(redis.get(0).uri()) + ")")
			.contains("not fault tolerance")
			.contains("set redlock.nodes to 3 or 5 independent Redis masters");
	}

	@Test
	void threeNodesShouldGetNoEfficiencyLockWarning(CapturedOutput output) {
		this.runner.withPropertyValues("redlock.nodes[0]=" + sentinel.uri(), "redlock.nodes[1]=" + redis.get(0).uri(),
				"redlock.nodes[2]=" + redis.get(1).uri()).run((context) -> assertThat(context).hasNotFailed());
		assertThat(output.getOut()).doesNotContain("efficiency lock");
	}

	private static PropertySource<?> yaml(String text) {
		try {
			return new YamlPropertySourceLoader()
				.load("application.yml", new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8)))
				.get(0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
