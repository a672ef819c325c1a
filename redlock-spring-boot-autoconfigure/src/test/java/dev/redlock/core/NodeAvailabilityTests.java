package dev.redlock.core;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Node availability as probes and call answers report it, logged once per change: a warning when a
 * node becomes unusable, a line when it is back, an error when fewer than a quorum are usable and a
 * line when the quorum is back. Fake nodes, no Redis: {@code OutageLoggingTests} does the same on
 * real servers.
 */
@ExtendWith(OutputCaptureExtension.class)
class NodeAvailabilityTests {

	private final NodeAvailability availability = new NodeAvailability(List.of(new Named("n0"), new Named("n1"),
			new Named("n2")), 2, true);

	private static int count(CapturedOutput output, String text) {
		return OutageLoggingTests.count(output, Pattern.quote(text));
	}

	@Test
	void nodeGoingDownAndComingBackShouldBeLoggedOncePerChange(CapturedOutput output) {
		for (int i = 0; i < 3; i++) {
			this.availability.probed(i, true, "");
		}
		this.availability.failed(1, "connection reset");
		this.availability.failed(1, "connection reset again");
		this.availability.probed(1, false, "still down");
		assertThat(count(output, "Redlock node n1 is unusable: connection reset")).isOne();
		assertThat(count(output, "is unusable")).isOne();
		this.availability.answered(1);
		this.availability.answered(1);
		this.availability.probed(1, true, "");
		assertThat(count(output, "Redlock node n1 is usable again")).isOne();
		assertThat(output.getAll()).as("the quorum never went").doesNotContain("Only ").doesNotContain("quorum of");
		assertThat(this.availability.usableNodes()).isEqualTo(3);
	}

	/**
	 * A node restarted with another password fails first with a broken connection, then refuses
	 * every login: the refusal, which keeps it out and needs a fix, is logged too, once per spell.
	 */
	@Test
	void aRefusalAfterABrokenConnectionShouldBeLoggedOncePerSpell(CapturedOutput output) {
		for (int i = 0; i < 3; i++) {
			this.availability.probed(i, true, "");
		}
		this.availability.failed(1, "end of stream");
		this.availability.refused(1, "the node refused the user name or password");
		this.availability.refused(1, "the node refused the user name or password");
		this.availability.failed(1, "end of stream");
		assertThat(count(output, "Redlock node n1 is unusable: end of stream")).isOne();
		assertThat(count(output, "Redlock node n1 is unusable: the node refused the user name or password")).isOne();
		this.availability.probed(1, true, "");
		this.availability.refused(1, "the node refused the user name or password");
		this.availability.refused(1, "the node refused the user name or password");
		assertThat(count(output, "Redlock node n1 is unusable: the node refused the user name or password"))
			.as("a new spell").isEqualTo(2);
		assertThat(count(output, "is unusable")).isEqualTo(3);
	}

	/**
	 * Calls still on their way when the engine closes fail against nodes that another part of the
	 * application (or the next test) stops: that says nothing about the nodes.
	 */
	@Test
	void closedEngineShouldLogNoNodeNews(CapturedOutput output) {
		for (int i = 0; i < 3; i++) {
			this.availability.probed(i, true, "");
		}
		this.availability.close();
		this.availability.failed(1, "connection reset");
		this.availability.failed(2, "connection reset");
		this.availability.probed(0, false, "refused");
		assertThat(output.getAll()).doesNotContain("is unusable").doesNotContain("Only ");
	}

	@Test
	void lostQuorumShouldBeAnErrorOnceAndItsReturnALineOnce(CapturedOutput output) {
		for (int i = 0; i < 3; i++) {
			this.availability.probed(i, true, "");
		}
		this.availability.failed(1, "refused");
		this.availability.failed(2, "timed out");
		this.availability.failed(2, "timed out");
		assertThat(count(output, "Only 1 of 3 Redlock nodes are usable; a lock needs 2")).isOne();
		assertThat(this.availability.usableNodes()).isOne();
		this.availability.answered(2);
		this.availability.answered(1);
		assertThat(count(output, "A quorum of Redlock nodes is usable again (2 of 3; a lock needs 2)")).isOne();
		assertThat(count(output, "quorum of Redlock nodes is usable again")).as("not again at 3 of 3").isOne();
		assertThat(count(output, "Only ")).isOne();
	}

	@Test
	void quorumShouldBeJudgedOnlyOnceEveryNodeWasSeen(CapturedOutput output) {
		this.availability.probed(0, false, "refused");
		this.availability.probed(1, false, "refused");
		assertThat(output.getAll()).as("node n2 not seen yet").doesNotContain("Only ");
		assertThat(count(output, "is unusable: refused")).isEqualTo(2);
		this.availability.probed(2, true, "");
		assertThat(count(output, "Only 1 of 3 Redlock nodes are usable")).isOne();
		assertThat(output.getAll()).as("a node first seen usable is not back").doesNotContain("n2 is usable again");
	}

	private record Named(String name) implements AgreeingNode {

	}

}
