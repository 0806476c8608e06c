package dev.durableeffect.tracker.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** Opens segment files; a seam so tests can make writes fail as a full disk would. */
@FunctionalInterface
interface ChannelOpener {

  ChannelOpener DEFAULT = FileChannel::open;

  FileChannel open(Path path, OpenOption... options) throws IOException;
}
