package org.kinmesh.relay.forward;

import org.kinmesh.util.TimeSource;

/**
 * One key's two token buckets: frames a second and payload bytes a second, each with a burst of
 * one second's worth. A frame passes only when both have room, and then takes from both. Pure,
 * clock injected; synchronized because a key's connection may be replaced by one on another
 * event loop, which inherits the buckets.
 */
final class RateBuckets {
  private final double framesPerMilli;
  private final double bytesPerMilli;
  private final double frameBurst;
  private final double byteBurst;
  private final TimeSource clock;
  private double frames;
  private double bytes;
  private long lastMillis;

  RateBuckets(int framesPerSec, long bytesPerSec, TimeSource clock) {
    this.framesPerMilli = framesPerSec / 1000.0;
    this.bytesPerMilli = bytesPerSec / 1000.0;
    this.frameBurst = framesPerSec;
    this.byteBurst = bytesPerSec;
    this.clock = clock;
    this.frames = frameBurst;
    this.bytes = byteBurst;
    this.lastMillis = clock.nowMillis();
  }

  synchronized boolean tryTake(int payloadBytes) {
    long now = clock.nowMillis();
    if (now > lastMillis) {
      long dt = now - lastMillis;
      frames = Math.min(frameBurst, frames + dt * framesPerMilli);
      bytes = Math.min(byteBurst, bytes + dt * bytesPerMilli);
      lastMillis = now;
    }
    if (frames < 1 || bytes < payloadBytes) {
      return false;
    }
    frames -= 1;
    bytes -= payloadBytes;
    return true;
  }
}
