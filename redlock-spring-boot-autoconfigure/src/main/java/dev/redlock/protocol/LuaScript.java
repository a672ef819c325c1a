package dev.redlock.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script and its SHA-1 digest, computed once, as {@code EVALSHA} expects it.
 *
 * @param source the script
 * @param sha1 the lower-case hex SHA-1 of the script
 */
public record LuaScript(String source, String sha1) {

	/**
	 * A script, its digest computed here.
	 * @param source the script
	 */
	public LuaScript(String source) {
		this(source, sha1(source));
	}

	private static String sha1(String source) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required by the Java platform", ex);
		}
	}

}
