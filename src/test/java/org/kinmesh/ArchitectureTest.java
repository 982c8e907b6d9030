package org.kinmesh;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The package layering of docs/architecture.md, enforced: no cycle between the top-level packages
 * under org.kinmesh, and each package reaches only the packages listed for it. node/ is the
 * composition root (only cli is above it); a new upward import fails here with the offending class.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.kinmesh");

  @Test
  void noCycleBetweenTopLevelPackages() {
    noCyclesBetweenTopLevelPackages.check(MAIN);
  }

  @Test
  void eachPackageReachesOnlyTheLayersBelowIt() {
    layering.check(MAIN);
  }

  static final ArchRule noCyclesBetweenTopLevelPackages =
      slices().matching("org.kinmesh.(*)..").should().beFreeOfCycles();

  static final ArchRule layering = layeredArchitecture().consideringOnlyDependenciesInLayers()
      // bottom: no kinmesh dependency at all
      .layer("util").definedBy("org.kinmesh.util..")
      .layer("crypto").definedBy("org.kinmesh.crypto..")
      .layer("config").definedBy("org.kinmesh.config..")
      .layer("bus").definedBy("org.kinmesh.bus..")
      .layer("store").definedBy("org.kinmesh.store..")
      // formats and plumbing
      .layer("wire").definedBy("org.kinmesh.wire..")
      .layer("net").definedBy("org.kinmesh.net..")
      // the chain and its consensus core
      .layer("chain").definedBy("org.kinmesh.chain..")
      .layer("consensus").definedBy("org.kinmesh.consensus..")
      // the session layer's policy over crypto.noise (issue 15)
      .layer("session").definedBy("org.kinmesh.session..")
      // the node's UDP socket and what runs on it
      .layer("udp").definedBy("org.kinmesh.udp..")
      .layer("stun").definedBy("org.kinmesh.stun..")
      .layer("punch").definedBy("org.kinmesh.punch..")
      .layer("gossip").definedBy("org.kinmesh.gossip..")
      // the relay server
      .layer("relay").definedBy("org.kinmesh.relay..")
      // composition root and the command line
      .layer("node").definedBy("org.kinmesh.node..")
      .layer("cli").definedBy("org.kinmesh.cli..")

      .whereLayer("util").mayNotAccessAnyLayer()
      .whereLayer("crypto").mayNotAccessAnyLayer()
      .whereLayer("config").mayNotAccessAnyLayer()
      .whereLayer("bus").mayNotAccessAnyLayer()
      .whereLayer("store").mayNotAccessAnyLayer()
      .whereLayer("wire").mayOnlyAccessLayers("crypto")
      .whereLayer("net").mayOnlyAccessLayers("config", "wire")
      .whereLayer("chain").mayOnlyAccessLayers("util", "crypto", "bus", "store", "wire")
      .whereLayer("consensus").mayOnlyAccessLayers("util", "crypto", "wire")
      .whereLayer("session").mayOnlyAccessLayers("util", "crypto", "wire")
      .whereLayer("udp").mayOnlyAccessLayers("util", "bus")
      .whereLayer("stun").mayOnlyAccessLayers("util", "bus", "wire", "udp")
      .whereLayer("punch").mayOnlyAccessLayers("util", "crypto", "bus", "wire", "chain", "udp")
      .whereLayer("gossip").mayOnlyAccessLayers("util", "crypto", "config", "bus", "store", "wire", "net", "chain",
          "udp", "stun")
      // consensus: the relay checks a followed chain's commit certificates with its quorum rule
      .whereLayer("relay").mayOnlyAccessLayers("util", "crypto", "config", "store", "wire", "net", "chain", "consensus",
          "stun")
      .whereLayer("node").mayOnlyAccessLayers("util", "crypto", "config", "bus", "store", "wire", "net", "chain",
          "consensus", "session", "udp", "stun", "punch", "gossip", "relay")
      .whereLayer("node").mayOnlyBeAccessedByLayers("cli");
}
