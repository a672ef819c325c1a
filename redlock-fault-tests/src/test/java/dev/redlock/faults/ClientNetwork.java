package dev.redlock.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the client JVMs run and how they are cut off from a node. With root and {@code ip netns},
 * every client gets a network namespace of its own, made by the suite: a veth pair joins it to a
 * bridge that the nodes listen on (besides 127.0.0.1). A silent partition is a {@code DROP} rule
 * in a chain of the client's own namespace ({@value #CHAIN}, jumped to from {@code OUTPUT}): the
 * client's packets to the node's port vanish, so its calls hang instead of being refused, and no
 * rule ever touches the machine's own tables: a rule left behind (say, by a killed test JVM)
 * drops nothing but that namespace's traffic, and goes away with it. Namespaces and links of
 * earlier runs whose JVM is gone are deleted at the next start; this run's at {@link #close()},
 * also from a shutdown hook.
 *
 * <p>Without those tools, the clients run on the loopback address and partitions are not
 * possible ({@link #canPartition()}).
 */
final class ClientNetwork implements AutoCloseable {

	static final String CHAIN = "REDLOCK-FAULTS";

	/** Names of this suite's namespaces and links: {@code rlf<pid of the test JVM><role><index>}. */
	private static final Pattern NAME = Pattern.compile("\\brlf(\\d+)([bhnc])(\\d*)\\b");

	private static final String PREFIX = "rlf" + ProcessHandle.current().pid();

	private final int clients;

	private final String bridgeAddress;

	private final String subnet;

	private final Thread cleanup = new Thread(this::removeAll, "fault-network-cleanup");

	private volatile boolean closed;

	private ClientNetwork(int clients, String subnet) {
		this.clients = clients;
		this.subnet = subnet;
		this.bridgeAddress = (subnet != null) ? subnet + ".1" : null;
	}

	/**
	 * Clients on the loopback address: no partitions.
	 * @param clients how many
	 * @return the network
	 */
	static ClientNetwork loopback(int clients) {
		return new ClientNetwork(clients, null);
	}

	/**
	 * One namespace per client, joined by a bridge.
	 * @param clients how many
	 * @return the network, set up
	 * @throws IllegalStateException if a step fails (whatever was made is removed)
	 */
	static ClientNetwork namespaces(int clients) {
		removeLeftovers();
		ClientNetwork network = new ClientNetwork(clients, freeSubnet());
		Runtime.getRuntime().addShutdownHook(network.cleanup);
		try {
			network.setUp();
			return network;
		}
		catch (RuntimeException ex) {
			network.close();
			throw ex;
		}
	}

	private void setUp() {
		String bridge = PREFIX + "b";
		Commands.run("ip", "link", "add", bridge, "type", "bridge");
		Commands.run("ip", "addr", "add", this.bridgeAddress + "/24", "dev", bridge);
		Commands.run("ip", "link", "set", bridge, "up");
		for (int client = 0; client < this.clients; client++) {
			String namespace = namespace(client);
			String host = PREFIX + "h" + client;
			String inside = PREFIX + "n" + client;
			Commands.run("ip", "netns", "add", namespace);
			Commands.run("ip", "link", "add", host, "type", "veth", "peer", "name", inside);
			Commands.run("ip", "link", "set", inside, "netns", namespace);
			Commands.run("ip", "link", "set", host, "master", bridge);
			Commands.run("ip", "link", "set", host, "up");
			inNamespace(client, "ip", "addr", "add", this.subnet + "." + (10 + client) + "/24", "dev", inside);
			inNamespace(client, "ip", "link", "set", inside, "up");
			inNamespace(client, "ip", "link", "set", "lo", "up");
			inNamespace(client, "iptables", "-w", "-N", CHAIN);
			inNamespace(client, "iptables", "-w", "-I", "OUTPUT", "-j", CHAIN);
		}
	}

	/**
	 * The address clients reach the nodes on.
	 * @return the bridge's address, or 127.0.0.1
	 */
	String serverAddress() {
		return (this.bridgeAddress != null) ? this.bridgeAddress : "127.0.0.1";
	}

	/**
	 * The address nodes must listen on besides 127.0.0.1.
	 * @return the bridge's address, or {@code null} on the loopback network
	 */
	String extraBindAddress() {
		return this.bridgeAddress;
	}

	boolean canPartition() {
		return this.bridgeAddress != null;
	}

	/**
	 * What runs a command in a client's place.
	 * @param client the client
	 * @return the command's prefix: {@code ip netns exec <namespace>}, or nothing
	 */
	List<String> commandPrefix(int client) {
		return (this.bridgeAddress != null) ? List.of("ip", "netns", "exec", namespace(client)) : List.of();
	}

	/**
	 * Drops the client's packets to a node's port from now on.
	 * @param client the client
	 * @param port the node's port
	 */
	void drop(int client, int port) {
		inNamespace(client, "iptables", "-w", "-A", CHAIN, "-p", "tcp", "-d", this.bridgeAddress, "--dport",
				Integer.toString(port), "-j", "DROP");
	}

	/**
	 * Lets the client's packets to a node's port through again.
	 * @param client the client
	 * @param port the node's port
	 */
	void heal(int client, int port) {
		inNamespace(client, "iptables", "-w", "-D", CHAIN, "-p", "tcp", "-d", this.bridgeAddress, "--dport",
				Integer.toString(port), "-j", "DROP");
	}

	/**
	 * Removes every partition rule of every client.
	 */
	void healAll() {
		if (this.bridgeAddress != null) {
			for (int client = 0; client < this.clients; client++) {
				inNamespace(client, "iptables", "-w", "-F", CHAIN);
			}
		}
	}

	/**
	 * The partition rules in force, for a check that none is left.
	 * @return one line per rule, as {@code iptables -S} prints it
	 */
	List<String> rules() {
		List<String> rules = new ArrayList<>();
		if (this.bridgeAddress != null) {
			for (int client = 0; client < this.clients; client++) {
				for (String line : inNamespace(client, "iptables", "-w", "-S", CHAIN).split("\n")) {
					if (line.startsWith("-A")) {
						rules.add(namespace(client) + ": " + line);
					}
				}
			}
		}
		return rules;
	}

	private String namespace(int client) {
		return PREFIX + "c" + client;
	}

	private String inNamespace(int client, String... command) {
		List<String> full = new ArrayList<>(commandPrefix(client));
		full.addAll(List.of(command));
		return Commands.run(full.toArray(String[]::new));
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			Runtime.getRuntime().removeShutdownHook(this.cleanup);
		}
		catch (IllegalStateException ex) {
			// the JVM is going down: the hook runs this anyway
		}
		removeAll();
	}

	private void removeAll() {
		if (this.bridgeAddress == null) {
			return;
		}
		for (int client = 0; client < this.clients; client++) {
			// deleting a namespace deletes its rules and its end of the veth pair, and with it the other end
			Commands.runQuietly("ip", "netns", "delete", namespace(client));
			Commands.runQuietly("ip", "link", "delete", PREFIX + "h" + client);
		}
		Commands.runQuietly("ip", "link", "delete", PREFIX + "b");
	}

	/**
	 * Deletes the namespaces and links of earlier runs whose test JVM no longer runs.
	 */
	static void removeLeftovers() {
		String listing = Commands.runQuietly("ip", "netns", "list") + "\n" + Commands.runQuietly("ip", "-o", "link", "show");
		Matcher matcher = NAME.matcher(listing);
		while (matcher.find()) {
			long pid = Long.parseLong(matcher.group(1));
			if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
				continue;
			}
			String name = matcher.group();
			if ("c".equals(matcher.group(2))) {
				Commands.runQuietly("ip", "netns", "delete", name);
			}
			else {
				Commands.runQuietly("ip", "link", "delete", name);
			}
		}
	}

	/** A /24 in 10.200.0.0-10.249.255.0 that no interface of the machine is in. */
	private static String freeSubnet() {
		String addresses = Commands.run("ip", "-o", "-4", "addr", "show");
		long pid = ProcessHandle.current().pid();
		for (int i = 0; i < 12_800; i++) {
			long n = (pid + i) % 12_800;
			String subnet = String.format(Locale.ROOT, "10.%d.%d", 200 + n / 256, n % 256);
			if (!addresses.contains(" " + subnet + ".")) {
				return subnet;
			}
		}
		throw new IllegalStateException("No free /24 in 10.200.0.0/13 for the clients' bridge");
	}

}
