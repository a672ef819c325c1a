package dev.redlock.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which pieces of a comma-split {@code redlock.nodes} are joined back: only scheme-less
 * host:port pieces that follow an open Sentinel or Cluster seed list.
 */
class NodeUriFragmentsTests {

	private static List<String> split(String value) {
		return List.of(value.split(","));
	}

	@Test
	void sentinelAndClusterSeedsShouldBeJoinedBack() {
		assertThat(NodeUriFragments.rejoin(split("redis-sentinel://h1:26379,h2:26379,h3:26379/orders,redis://h4:6379,"
				+ "REDIS-CLUSTER://c1:7000,c2:7000,rediss://h5:6380")))
			.containsExactly("redis-sentinel://h1:26379,h2:26379,h3:26379/orders", "redis://h4:6379",
					"REDIS-CLUSTER://c1:7000,c2:7000", "rediss://h5:6380");
	}

	@Test
	void aSentinelPasswordWithACommaShouldBeJoinedBack() {
		assertThat(NodeUriFragments.rejoin(split("redis-sentinel://:p,w@h1:26379,h2:26379/m")))
			.containsExactly("redis-sentinel://:p,w@h1:26379,h2:26379/m");
	}

	@Test
	void piecesAfterAClosedOrStandaloneUriShouldStayApart() {
		assertThat(NodeUriFragments.rejoin(split("redis-sentinel://h1:26379/orders,h2:6379")))
			.as("the master name closes the Sentinel URI")
			.containsExactly("redis-sentinel://h1:26379/orders", "h2:6379");
		assertThat(NodeUriFragments.rejoin(split("redis://:pass,word@h1:6379")))
			.as("a standalone URI has no seed list")
			.containsExactly("redis://:pass", "word@h1:6379");
	}

	@Test
	void wholeUrisShouldComeThroughUnchanged() {
		List<String> indexed = List.of("redis-sentinel://h1:26379,h2:26379/orders", "redis://h3:6379");
		assertThat(NodeUriFragments.rejoin(indexed)).isEqualTo(indexed);
		assertThat(NodeUriFragments.rejoin(List.of())).isEmpty();
	}

}
