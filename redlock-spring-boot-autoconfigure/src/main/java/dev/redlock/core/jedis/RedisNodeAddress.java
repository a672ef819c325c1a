package dev.redlock.core.jedis;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import dev.redlock.core.InvalidSettingException;

/**
 * Where one Redis master is and how to log in: parsed from
 * {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://…} for TLS.
 *
 * @param host the host name or IP address (IPv6 without brackets)
 * @param port the port
 * @param user the ACL user, or {@code null} for the default user
 * @param password the password, or {@code null}
 * @param database the database index
 * @param ssl whether to connect with TLS
 */
public record RedisNodeAddress(String host, int port, String user, String password, int database, boolean ssl) {

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
				problem + "; expected redis://[[user]:password@]host[:port][/database] or rediss://...");
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
		String hostPart = this.host.contains(":") ? "[" + this.host + "]" : this.host;
		return hostPart + ":" + this.port + ((this.database != 0) ? "/" + this.database : "");
	}

	/**
	 * Where the node is, ignoring credentials and TLS: two addresses with the same endpoint reach
	 * the same lock keys.
	 * @return {@code host:port/database}, host in lower case
	 */
	public String endpoint() {
		return this.host.toLowerCase(Locale.ROOT) + ":" + this.port + "/" + this.database;
	}

	@Override
	public String toString() {
		return (this.ssl ? "rediss://" : "redis://") + ((this.password != null) ? "******@" : "") + name();
	}

}
