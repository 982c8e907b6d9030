package org.kinmesh.cli;

/** Exit codes shared by every command. */
final class ExitCodes {
  static final int OK = 0;
  /** The other side refused (e.g. a relay answered 4xx/5xx), or the operation failed. */
  static final int FAILURE = 1;
  /** Bad usage, bad config, unusable key file. */
  static final int USAGE = 2;

  private ExitCodes() {}
}
