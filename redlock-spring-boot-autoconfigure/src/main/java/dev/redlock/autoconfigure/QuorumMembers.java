package dev.redlock.autoconfigure;

import java.util.List;

import javax.net.ssl.SSLSocketFactory;

import dev.redlock.protocol.RedisNodeAddress;

/**
 * The members of the lock quorum, where they were configured, and the TLS socket factory of those
 * that use TLS.
 *
 * @param addresses the members, at least one
 * @param origin where they were configured, for messages
 * @param sslSocketFactory the TLS socket factory, or {@code null} for the JVM's default trust store
 */
record QuorumMembers(List<RedisNodeAddress> addresses, Origin origin, SSLSocketFactory sslSocketFactory) {

	QuorumMembers {
		addresses = List.copyOf(addresses);
		if (addresses.isEmpty()) {
			throw new IllegalArgumentException("addresses must not be empty");
		}
	}

	/**
	 * Where the members were configured: names a member, and says where to fix its credentials.
	 */
	enum Origin {

		/** A {@link RedlockConnectionDetails} bean. */
		CONNECTION_DETAILS("RedlockConnectionDetails.getNodes()",
				"the node URI that your RedlockConnectionDetails bean returns (redis://user:password@host:port)"),

		/** The {@code redlock.nodes} property. */
		PROPERTY("redlock.nodes", "redlock.nodes[%d] (redis://user:password@host:port)"),

		/** Spring Boot's Redis connection, one member. */
		BOOT_REDIS("spring.data.redis", "spring.data.redis.username and spring.data.redis.password (or the user "
				+ "info of spring.data.redis.url, or your Redis service connection)");

		private final String source;

		private final String credentials;

		Origin(String source, String credentials) {
			this.source = source;
			this.credentials = credentials;
		}

		/**
		 * Where the members come from, such as {@code redlock.nodes}.
		 * @return the source
		 */
		String source() {
			return this.source;
		}

		/**
		 * One member, as messages name it: {@code redlock.nodes[1]}, or {@code spring.data.redis}.
		 * @param index the member's index
		 * @return the name
		 */
		String member(int index) {
			return (this == BOOT_REDIS) ? this.source : this.source + "[" + index + "]";
		}

		/**
		 * Where to fix the credentials of one member.
		 * @param index the member's index
		 * @return the advice
		 */
		String credentials(int index) {
			return this.credentials.formatted(index);
		}

	}

}
