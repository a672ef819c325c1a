package dev.redlock.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.ssl.SslProperties;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.env.PropertySourceLoader;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;

import dev.redlock.autoconfigure.DocumentationPages.Block;
import dev.redlock.protocol.RedisNodeAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The documentation's examples run as written: every {@code java}, {@code yaml} and
 * {@code properties} block of {@code README.md} and {@code docs/*.md} names the test source it
 * shows (see {@link DocumentationPages}) and is exactly that source's text. The Java examples are
 * regions of test classes that compile them and run them on real {@code redis-server} nodes
 * ({@code ReadmeExamplesTests}, {@code dev.redlock.docs.*ExamplesTests}); the YAML and properties
 * examples are bound here into {@link RedlockProperties} (and Spring Boot's {@link SslProperties}
 * where they set {@code spring.ssl}), with every node URI parsed and the engine settings checked
 * as the startup does. Those examples name hosts such as {@code 10.0.0.1}, so they are bound only,
 * not connected; the quickstart's settings are also started on the fixture's nodes by
 * {@code ReadmeExamplesTests}.
 *
 * <p>To write the pages' blocks from their sources after changing an example, run this test with
 * {@code -Ddocs.update=true}; it rewrites the blocks and fails once, naming the pages it changed.
 */
class DocumentationExamplesTests {

	private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("^(#+) (.*)$");

	/** Fails on any property under the prefix that binds to nothing (a misspelt key). */
	private static final BindHandler STRICT = new NoUnboundElementsBindHandler(BindHandler.DEFAULT);

	@Test
	void everyJavaYamlAndPropertiesExampleShouldBeTheTestedSourceItNames() {
		if (Boolean.getBoolean("docs.update")) {
			List<Path> changed = DocumentationPages.pages().stream().filter(DocumentationPages::update).toList();
			assertThat(changed).as("pages rewritten from their tested sources; run again without -Ddocs.update")
				.isEmpty();
		}
		List<String> problems = new ArrayList<>();
		int tested = 0;
		for (Path page : DocumentationPages.pages()) {
			for (Block block : DocumentationPages.blocks(page)) {
				if (!block.tested()) {
					continue;
				}
				tested++;
				if (block.source() == null) {
					problems.add(block.where() + ": a " + block.language()
							+ " block without <!-- example: path#region --> before it (no test runs it)");
					continue;
				}
				try {
					String source = DocumentationPages.render(block.source());
					if (!source.equals(block.text())) {
						problems.add(block.where() + ": the block differs from " + block.source()
								+ " (run with -Ddocs.update=true to write it from the source)\n--- page:\n" + block.text()
								+ "\n--- source:\n" + source);
					}
				}
				catch (IllegalArgumentException ex) {
					problems.add(block.where() + ": " + ex.getMessage());
				}
			}
		}
		assertThat(problems).as("examples that are not their tested source").isEmpty();
		assertThat(tested).as("tested examples found (the walker sees the pages)").isGreaterThanOrEqualTo(10);
	}

	@Test
	void everyYamlAndPropertiesExampleShouldBindToTheRedlockProperties() throws IOException {
		int bound = 0;
		for (Path page : DocumentationPages.pages()) {
			for (Block block : DocumentationPages.blocks(page)) {
				if (block.tested() && !block.language().equals("java")) {
					bind(block);
					bound++;
				}
			}
		}
		assertThat(bound).as("YAML and properties examples bound").isPositive();
	}

	private static void bind(Block block) throws IOException {
		PropertySourceLoader loader = block.language().equals("properties") ? new PropertiesPropertySourceLoader()
				: new YamlPropertySourceLoader();
		List<PropertySource<?>> sources = loader.load(block.where(),
				new ByteArrayResource(block.text().getBytes(StandardCharsets.UTF_8), block.where()));
		Set<String> prefixes = new HashSet<>();
		for (PropertySource<?> source : sources) {
			for (String name : ((EnumerablePropertySource<?>) source).getPropertyNames()) {
				prefixes.add(name.startsWith("redlock.") ? "redlock" : name.startsWith("spring.ssl.") ? "spring.ssl" : name);
			}
		}
		assertThat(prefixes).as("%s: properties this test knows how to bind", block.where())
			.isSubsetOf("redlock", "spring.ssl");
		ConfigurationPropertyName integration = ConfigurationPropertyName.of("redlock.integration");
		List<ConfigurationPropertySource> all = new ArrayList<>();
		ConfigurationPropertySources.from(sources).forEach(all::add);
		if (prefixes.contains("redlock")) {
			// each bound strictly: a misspelt key under the prefix fails
			RedlockProperties properties = new Binder(all.stream()
				.map((source) -> ((IterableConfigurationPropertySource) source)
					.filter((name) -> !integration.isAncestorOf(name)))
				.map(ConfigurationPropertySource.class::cast)
				.toList()).bind("redlock", Bindable.of(RedlockProperties.class), STRICT).get();
			new Binder(all).bind("redlock.integration", Bindable.of(RedlockIntegrationProperties.class), STRICT);
			assertThat(properties.getNodes()).as("%s: redlock.nodes", block.where()).isNotEmpty();
			members(properties);
			EngineSettings.of(properties);
		}
		if (prefixes.contains("spring.ssl")) {
			SslProperties ssl = new Binder(all).bind("spring.ssl", Bindable.of(SslProperties.class), STRICT).get();
			assertThat(ssl.getBundle().getPem()).as("%s: PEM bundles", block.where()).isNotEmpty();
		}
	}

	/**
	 * The quorum members the startup makes of {@code redlock.nodes}: the binder's list with split
	 * Sentinel and Cluster URIs joined again, each parsed.
	 */
	private static List<RedisNodeAddress> members(RedlockProperties properties) {
		return NodeSource.parse(QuorumMembers.Origin.PROPERTY, NodeUriFragments.rejoin(properties.getNodes()));
	}

	@Test
	void theCommaSeparatedNodesExampleShouldBeTheThreeMembersThePageSays() throws IOException {
		List<PropertySource<?>> sources = new PropertiesPropertySourceLoader().load("nodes-comma-separated.properties",
				new ClassPathResource("docs/nodes-comma-separated.properties"));
		RedlockProperties properties = new Binder(ConfigurationPropertySources.from(sources))
			.bind("redlock", Bindable.of(RedlockProperties.class), STRICT)
			.get();
		assertThat(properties.getNodes()).as("the binder splits at every comma").hasSize(5);
		assertThat(members(properties)).extracting(RedisNodeAddress::name)
			.containsExactly("sentinel:orders@10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379", "10.0.1.1:6379",
					"10.0.1.2:6379");
	}

	@Test
	void everyRelativeLinkShouldReachAFileAndHeading() throws IOException {
		List<String> broken = new ArrayList<>();
		for (Path page : DocumentationPages.pages()) {
			Matcher link = LINK.matcher(Files.readString(page));
			while (link.find()) {
				String target = link.group(1);
				if (target.matches("^[a-z]+:.*")) {
					continue;
				}
				int hash = target.indexOf('#');
				Path file = (hash == 0) ? page
						: page.getParent().resolve((hash < 0) ? target : target.substring(0, hash)).normalize();
				if (!Files.exists(file)) {
					broken.add(page.getFileName() + ": " + target + " (no such file)");
				}
				else if (hash >= 0 && file.toString().endsWith(".md")
						&& !anchors(file).contains(target.substring(hash + 1))) {
					broken.add(page.getFileName() + ": " + target + " (no such heading)");
				}
			}
		}
		assertThat(broken).isEmpty();
	}

	/** GitHub's anchors for a page's headings. */
	private static Set<String> anchors(Path page) throws IOException {
		Set<String> anchors = new HashSet<>();
		boolean fenced = false;
		for (String line : Files.readAllLines(page)) {
			if (line.strip().startsWith("```")) {
				fenced = !fenced;
			}
			Matcher heading = HEADING.matcher(line);
			if (!fenced && heading.matches()) {
				anchors.add(heading.group(2)
					.strip()
					.toLowerCase(Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{N}_\\- ]", "")
					.replace(' ', '-'));
			}
		}
		return anchors;
	}

	@Test
	void theShedLockVersionThePagesNameShouldBeTheOneTheBuildTests() throws IOException {
		Matcher version = Pattern.compile("<shedlock.version>([^<]+)</shedlock.version>")
			.matcher(Files.readString(DocumentationPages.projectRoot().resolve("pom.xml")));
		assertThat(version.find()).isTrue();
		Path root = DocumentationPages.projectRoot();
		assertThat(Files.readString(root.resolve("README.md"))).as("README.md")
			.contains("the project tests with ShedLock **" + version.group(1) + "**");
		assertThat(Files.readString(root.resolve("docs/shedlock-and-spring-integration.md")))
			.as("docs/shedlock-and-spring-integration.md")
			.contains("the project tests with " + version.group(1) + ",");
	}

	@Test
	void theLeastPrivilegeAclThePageShowsShouldBeTheOneSecurityTestsGrant() throws IOException {
		String rules = String.join(" ", SecurityTests.LOCK_USER_RULES).replace(">locker-Pa55", ">s3cret");
		assertThat(Files.readString(DocumentationPages.projectRoot().resolve("docs/operations.md")))
			.as("docs/operations.md")
			.contains("\nACL SETUSER locker " + rules + "\n");
	}

	@Test
	void aRegionShouldBeShownWithItsElisionsAndPiecesAndWithoutItsMarkers() {
		List<String> source = List.of("class A {", "\t// tag::x[]", "\t@DistributedLock(key = \"#id\")",
				"\tpublic Receipt pay(String id) { /*...*/ return charge(id); }   // one at a time", "", "\t// end::x[]",
				"\tvoid other() {", "\t}", "\tclass B {", "\t\t// tag::x[]", "\t\tvoid b() {",
				"\t\t\t/*...*/ work(() -> { step(); });", "\t\t}", "\t\t// end::x[]", "\t}", "}");
		assertThat(DocumentationPages.render(source, "x", "A.java")).isEqualTo("""
				@DistributedLock(key = "#id")
				public Receipt pay(String id) { ... }   // one at a time

				void b() {
				    ...
				}""");
		assertThat(DocumentationPages.elide("void run() { /*...*/ }")).isEqualTo("void run() { ... }");
		assertThatIllegalArgumentException().isThrownBy(() -> DocumentationPages.render(source, "y", "A.java"))
			.withMessageContaining("no region tag::y[]");
	}

}
