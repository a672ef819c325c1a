package dev.redlock.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.redlock.core.InvalidSettingException;

/**
 * Where one quorum member is and how to log in, parsed from one of:
 * <ul>
 * <li>{@code redis://[[user]:password@]host[:port][/database]} (or {@code rediss://…} for TLS): a
 * standalone master;</li>
 * <li>{@code redis-sentinel://[[user]:password@]host:port[,host:port…]/masterName}: the master
 * that these Sentinels monitor, followed through failovers (the credentials are the master's;
 * the Sentinels are reached without them);</li>
 * <li>{@code redis-cluster://[[user]:password@]host:port[,host:port…]}: a Redis Cluster, found
 * from these seed nodes; each lock key goes to the shard that owns its hash slot.</li>
 * </ul>
 *
 * @param host the host name or IP address (IPv6 without brackets); the first seed for Sentinel
 * and Cluster members
 * @param port the port; the first seed's for Sentinel and Cluster members
 * @param user the ACL user, or {@code null} for the default user
 * @param password the password, or {@code null}
 * @param database the database index
 * @param ssl whether to connect with TLS
 * @param kind what kind of member this is
 * @param seeds the Sentinels or Cluster seed nodes as {@code host:port}; the one node for a
 * standalone master
 * @param masterName the Sentinel master name, or {@code null}
 */
public record RedisNodeAddress(String host, int port, String user, String password, int database, boolean ssl,
		Kind kind, List<String> seeds, String masterName) {

	/** The kinds of quorum member. */
	public enum Kind {

		/** One standalone master. */
		STANDALONE,

		/** A master monitored by Sentinels. */
		SENTINEL,

		/** A Redis Cluster. */
		CLUSTER

	}

	/**
	 * A standalone master.
	 * @param host the host
	 * @param port the port
	 * @param user the user, or {@code null}
	 * @param password the password, or {@code null}
	 * @param database the database
	 * @param ssl whether to use TLS
	 */
	public RedisNodeAddress(String host, int port, String user, String password, int database, boolean ssl) {
		this(host, port, user, password, database, ssl, Kind.STANDALONE, List.of(hostPort(host, port)), null);
	}

	/**
	 * Normalizes the seeds.
	 * @param host the host
	 * @param port the port
	 * @param user the user
	 * @param password the password
	 * @param database the database
	 * @param ssl whether to use TLS
	 * @param kind the kind
	 * @param seeds the seeds
	 * @param masterName the master name
	 */
	public RedisNodeAddress {
		seeds = List.copyOf(seeds);
	}

	private static String hostPort(String host, int port) {
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
	}

	/** The port of a URI that names none. */
	public static final int DEFAULT_PORT = 6379;

	/**
	 * Parses a node URI.
	 * @param setting the setting's name, for the error message, such as {@code nodes[0]}
	 * @param uri the URI
	 * @return the address
	 * @throws InvalidSettingException if the URI is malformed; the message never contains the
	 * password
	 */
	public static RedisNodeAddress parse(String setting, String uri) {
		if (uri == null || uri.isBlank()) {
			throw invalid(setting, uri, "must not be empty");
		}
		String lower = uri.trim().toLowerCase(Locale.ROOT);
		if (lower.startsWith("redis-sentinel://") || lower.startsWith("redis-cluster://")) {
			return parseTopology(setting, uri.trim(), lower.startsWith("redis-sentinel://") ? Kind.SENTINEL
					: Kind.CLUSTER);
		}
		URI parsed;
		try {
			parsed = new URI(uri.trim());
		}
		catch (URISyntaxException ex) {
			throw invalid(setting, uri, "is not a valid URI (" + ex.getReason() + ")");
		}
		String scheme = (parsed.getScheme() != null) ? parsed.getScheme().toLowerCase(Locale.ROOT) : null;
		if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
			throw invalid(setting, uri, "must start with redis:// or rediss:// (TLS)");
		}
		String host = parsed.getHost();
		if (host == null || host.isEmpty()) {
			throw invalid(setting, uri, "names no host");
		}
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port = (parsed.getPort() != -1) ? parsed.getPort() : DEFAULT_PORT;
		if (port < 1 || port > 65535) {
			throw invalid(setting, uri, "has a port out of range 1-65535");
		}
		int database = parseDatabase(setting, uri, parsed.getPath());
		if (parsed.getQuery() != null || parsed.getFragment() != null) {
			throw invalid(setting, uri, "must not have a query or fragment");
		}
		String user = null;
		String password = null;
		String userInfo = parsed.getUserInfo();
		if (userInfo != null && !userInfo.isEmpty()) {
			int colon = userInfo.indexOf(':');
			if (colon < 0) {
				password = userInfo;
			}
			else {
				user = (colon > 0) ? userInfo.substring(0, colon) : null;
				password = userInfo.substring(colon + 1);
			}
		}
		return new RedisNodeAddress(host, port, user, password, database, "rediss".equals(scheme));
	}

	private static RedisNodeAddress parseTopology(String setting, String uri, Kind kind) {
		String rest = uri.substring(uri.indexOf("://") + 3);
		int slash = rest.indexOf('/');
		String authority = (slash >= 0) ? rest.substring(0, slash) : rest;
		String path = (slash >= 0) ? rest.substring(slash + 1) : "";
		String user = null;
		String password = null;
		int at = authority.lastIndexOf('@');
		if (at >= 0) {
			String userInfo = decode(authority.substring(0, at));
			authority = authority.substring(at + 1);
			int colon = userInfo.indexOf(':');
			user = (colon > 0) ? userInfo.substring(0, colon) : null;
			password = (colon >= 0) ? userInfo.substring(colon + 1) : userInfo;
		}
		List<String> seeds = new ArrayList<>();
		for (String seed : authority.split(",")) {
			seed = seed.trim();
			int colon = seed.lastIndexOf(':');
			if (seed.isEmpty() || colon <= 0 || colon == seed.length() - 1) {
				throw invalid(setting, uri, "lists '" + seed + "', not host:port");
			}
			try {
				int port = Integer.parseInt(seed.substring(colon + 1));
				if (port < 1 || port > 65535) {
					throw new NumberFormatException();
				}
			}
			catch (NumberFormatException ex) {
				throw invalid(setting, uri, "lists '" + seed + "' with a port out of range 1-65535");
			}
			seeds.add(seed);
		}
		String masterName = null;
		if (kind == Kind.SENTINEL) {
			masterName = path.trim();
			if (masterName.isEmpty()) {
				throw invalid(setting, uri, "names no master: add /masterName after the Sentinels");
			}
		}
		else if (!path.isEmpty()) {
			throw invalid(setting, uri, "must not have a path: a cluster has no database but 0");
		}
		String first = seeds.get(0);
		int colon = first.lastIndexOf(':');
		String host = first.substring(0, colon).replace("[", "").replace("]", "");
		return new RedisNodeAddress(host, Integer.parseInt(first.substring(colon + 1)), user, password, 0, false, kind,
				seeds, masterName);
	}

	private static String decode(String text) {
		return java.net.URLDecoder.decode(text.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
	}

	private static int parseDatabase(String setting, String uri, String path) {
		if (path == null || path.isEmpty() || "/".equals(path)) {
			return 0;
		}
		try {
			int database = Integer.parseInt(path.substring(1));
			if (database >= 0) {
				return database;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw invalid(setting, uri, "has a path that is not a database number, such as /0");
	}

	private static InvalidSettingException invalid(String setting, String uri, String problem) {
		return new InvalidSettingException(setting, redact(uri),
				problem + "; expected redis://[[user]:password@]host[:port][/database], rediss://..., "
						+ "redis-sentinel://host:port[,host:port...]/masterName or redis-cluster://host:port[,host:port...]");
	}

	/**
	 * Hides the password of a node URI, for messages.
	 * @param uri the URI, possibly malformed
	 * @return the URI with its user-info part masked
	 */
	public static String redact(String uri) {
		if (uri == null) {
			return null;
		}
		int at = uri.lastIndexOf('@');
		if (at < 0) {
			return uri;
		}
		int schemeEnd = uri.indexOf("://");
		int start = (schemeEnd >= 0 && schemeEnd < at) ? schemeEnd + 3 : 0;
		String userInfo = uri.substring(start, at);
		int colon = userInfo.indexOf(':');
		String masked = (colon >= 0) ? userInfo.substring(0, colon) + ":******" : "******";
		return uri.substring(0, start) + masked + uri.substring(at);
	}

	/**
	 * The node's name: {@code host:port}, with {@code /database} when not 0. No credentials.
	 * @return the name
	 */
	public String name() {
		return switch (this.kind) {
			case STANDALONE -> hostPort(this.host, this.port) + ((this.database != 0) ? "/" + this.database : "");
			case SENTINEL -> "sentinel:" + this.masterName + "@" + String.join(",", this.seeds);
			case CLUSTER -> "cluster:" + String.join(",", this.seeds);
		};
	}

	/**
	 * Where the node is, ignoring credentials and TLS: two addresses with the same endpoint reach
	 * the same lock keys.
	 * @return {@code host:port/database}, host in lower case
	 */
	public String endpoint() {
		return switch (this.kind) {
			case STANDALONE -> this.host.toLowerCase(Locale.ROOT) + ":" + this.port + "/" + this.database;
			default -> name().toLowerCase(Locale.ROOT);
		};
	}

	@Override
	public String toString() {
		String scheme = switch (this.kind) {
			case STANDALONE -> this.ssl ? "rediss://" : "redis://";
			case SENTINEL -> "redis-sentinel://";
			case CLUSTER -> "redis-cluster://";
		};
		return scheme + ((this.password != null) ? "******@" : "") + name();
	}

}
