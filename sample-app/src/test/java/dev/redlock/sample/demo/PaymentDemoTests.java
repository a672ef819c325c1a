package dev.redlock.sample.demo;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.redlock.autoconfigure.RedlockProperties;
import dev.redlock.sample.embedded.EmbeddedRedisNodes;
import dev.redlock.test.RedisServerProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PaymentDemo} on real Redis nodes.
 */
@ExtendWith(OutputCaptureExtension.class)
class PaymentDemoTests {

	private final DemoProperties properties = new DemoProperties(true, 2, 3, 10, Duration.ofMillis(1),
			Duration.ofSeconds(10));

	@Test
	void onItsOwnNodesTheDemoShouldKillTwoOfFiveAndReportNoDoublePayment(CapturedOutput output) {
		try (EmbeddedRedisNodes nodes = EmbeddedRedisNodes.start(5)) {
			new PaymentDemo(this.properties, redlock(nodes), nodes).run(null);
			assertThat(nodes.servers()).allMatch(RedisServerProcess::isRunning);
		}
		assertThat(output).contains("no lock (control)", "all nodes up", "2 nodes killed", "nodes restarted");
		assertThat(summaryLine(output)).contains("double-payments=0", "orders-paid=30/30", "nodes=5", "quorum=3",
				"nodes-killed=2");
	}

	@Test
	void onYourOwnNodesTheDemoShouldKillNone(CapturedOutput output) {
		try (EmbeddedRedisNodes nodes = EmbeddedRedisNodes.start(3)) {
			new PaymentDemo(this.properties, redlock(nodes), null).run(null);
			assertThat(nodes.servers()).allMatch(RedisServerProcess::isRunning);
		}
		assertThat(output).contains("not killing nodes (redlock.nodes names your own servers)")
			.doesNotContain("nodes killed");
		assertThat(summaryLine(output)).contains("double-payments=0", "orders-paid=10/10", "nodes-killed=0");
	}

	private static RedlockProperties redlock(EmbeddedRedisNodes nodes) {
		RedlockProperties redlock = new RedlockProperties();
		redlock.setNodes(nodes.uris());
		return redlock;
	}

	private static String summaryLine(CapturedOutput output) {
		return output.getOut()
			.lines()
			.filter((line) -> line.contains(DemoReport.SUMMARY_PREFIX))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + DemoReport.SUMMARY_PREFIX + " line in:\n" + output));
	}

}
