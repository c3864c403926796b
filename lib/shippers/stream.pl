use strict;
use warnings;
use Fcntl qw(O_RDONLY O_NONBLOCK :mode);
use POSIX ();

# Prints every line of the given log files exactly once, in order, from the
# first line, and keeps doing so through restarts, rotations and crashes.
#
# - Follows each path by name: a file that does not exist yet is waited for,
#   a replaced file (rename + new file) is read to its end before the new one,
#   a truncated or rewritten file is read again from its start.
# - Works in rounds: each reads at most ROUND_BYTES of each file, prints what
#   it read in blocks, then saves the positions. A busy file cannot hold the
#   others back, and a SIGKILL prints again at most the last round.
# - Reads only regular files, opened without blocking: a FIFO, a device or a
#   link to /dev/stdout is reported and skipped, never waited on.
# - A line longer than MAX_LINE bytes is printed in pieces of MAX_LINE bytes,
#   so memory stays bounded whatever the writer does.
# - With --state DIR, positions are kept there with the device, inode and the
#   bytes around each position; a restarted shipper uses a position only when
#   the file still holds those bytes, and finds a file rotated meanwhile under
#   any name that begins with the log file's name.
# - With --rotate-bytes, it rotates a file that has grown past that size and
#   been read to its end: renames it to <file>.1 and signals the writer to
#   reopen its logs (--reopen-process / --reopen-signal, nginx's master and
#   SIGUSR1 by default). Each step is recorded first, so a shipper killed at
#   any point finishes or undoes the rotation when it starts again, and never
#   deletes a file the writer may still write to.
# - On SIGTERM it prints what the files held when the signal came (for at most
#   --stop-within seconds), saves its positions and exits 0.
my %option = (
  'tag' => 0, 'rotate-bytes' => 0, 'rotate-wait' => 5, 'state' => undef, 'stop-within' => 10,
  'reopen-process' => 'nginx: master process', 'reopen-signal' => 'USR1',
);
while (@ARGV && $ARGV[0] =~ /^--/) {
  my $name = substr(shift @ARGV, 2);
  last if $name eq '';
  die "stream: unknown option --$name\n" unless exists $option{$name};
  if ($name eq 'tag') { $option{tag} = 1; next }
  die "stream: option --$name needs a value\n" unless @ARGV;
  $option{$name} = shift @ARGV;
}
die "stream: no log files given\n" unless @ARGV;
my @paths = @ARGV;
my ($tag, $rotate_bytes, $grace, $state_dir, $stop_within) = @option{qw(tag rotate-bytes rotate-wait state stop-within)};

use constant {
  POLL => 0.2,              # seconds between rounds when every file has been read to its end
  ROUND_BYTES => 1 << 20,   # bytes read from each file per round
  READ_BYTES => 1 << 15,    # bytes per read()
  OUT_BYTES => 1 << 13,     # output is written once this much waits: a read's lines per write, which the bench measured fastest
  MAX_LINE => 1 << 20,      # longer lines are printed in pieces of this size
  MARK_BYTES => 64,         # bytes at a file's start and before a position that identify its content
};

my $stopping = 0;
$SIG{TERM} = $SIG{INT} = sub { $stopping = 1 };

# perl-base has no sub-second clock but POSIX::times(), whose first value
# counts clock ticks of real time.
my $ticks = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub now { return (POSIX::times())[0] / $ticks }

# ---------------------------------------------------------------- messages

my %reported;   # path => the last problem reported for it, so each is said once
sub report {
  my ($path, $problem) = @_;
  return if ($reported{$path} // '') eq $problem;
  $reported{$path} = $problem;
  warn "stream: $path $problem\n";
}
sub resolved {
  my ($path) = @_;
  warn "stream: $path can be read now\n" if delete $reported{$path};
}

# ---------------------------------------------------------------- output

my $out = '';
my %prefix = map { my $name = $_; $name =~ s{.*/}{}; ($_ => "[$name] ") } @paths;

# Adds complete lines (each ending in a newline) to the output. The lines
# are changed in place (no copy of a block): callers pass a variable of their own.
sub emit {
  my $path = $_[0];
  if (!$tag) { $out .= $_[1]; return }
  my $prefix = $prefix{$path};
  $_[1] =~ s/\n/\n$prefix/g;
  $out .= $prefix;
  $out .= $_[1];
  # The last newline got a prefix too, for a line that has not come yet.
  substr($out, -length $prefix) = '';
}

sub flush_output {
  my $done = 0;
  while ($done < length $out) {
    my $n = syswrite(STDOUT, $out, length($out) - $done, $done);
    if (!defined $n) {
      next if $!{EINTR};
      if ($!{EAGAIN}) { select(undef, undef, undef, 0.01); next }
      die "stream: cannot write to stdout: $!\n";
    }
    $done += $n;
  }
  $out = '';
}

# ---------------------------------------------------------------- files

sub kind_of {
  my ($mode) = @_;
  return S_ISFIFO($mode) ? 'a FIFO' : S_ISCHR($mode) ? 'a character device' : S_ISDIR($mode) ? 'a directory'
    : S_ISSOCK($mode) ? 'a socket' : S_ISBLK($mode) ? 'a block device' : 'not a regular file';
}

sub not_regular {
  my ($path, $mode) = @_;
  my $link = readlink($path);
  my $what = defined $link ? 'is a symbolic link to ' . $link . ', which is ' . kind_of($mode) : 'is ' . kind_of($mode);
  return "$what, not a regular file: not read";
}

# Opens a regular file without blocking (a FIFO put there meanwhile would
# block an ordinary open). Returns the file, or undef and the problem.
sub open_regular {
  my ($path) = @_;
  my @st = stat($path);
  return (undef, undef) unless @st;
  return (undef, not_regular($path, $st[2])) unless S_ISREG($st[2]);
  sysopen(my $fh, $path, O_RDONLY | O_NONBLOCK) or return (undef, "cannot be read: $!");
  my @fst = stat($fh);
  return (undef, not_regular($path, $fst[2])) unless S_ISREG($fst[2]);
  binmode $fh;
  return ({ fh => $fh, dev => $fst[0], ino => $fst[1], pos => 0, buf => '', cut => 0, last => '' });
}

# Reads `length` bytes at `at` without moving the file's position.
sub read_at {
  my ($file, $at, $length) = @_;
  my $bytes = '';
  if ($length > 0 && sysseek($file->{fh}, $at, 0)) { sysread($file->{fh}, $bytes, $length) }
  sysseek($file->{fh}, $file->{pos}, 0);
  return $bytes;
}

# What identifies the content read up to `at`: the file's first bytes and the bytes before `at`.
sub mark_of {
  my ($file, $at) = @_;
  my $head = read_at($file, 0, $at < MARK_BYTES ? $at : MARK_BYTES);
  my $tail = read_at($file, $at < MARK_BYTES ? 0 : $at - MARK_BYTES, $at < MARK_BYTES ? $at : MARK_BYTES);
  return unpack('H*', $head) . ':' . unpack('H*', $tail);
}

# The position a restarted shipper goes on from: after the last line printed.
sub saved_position { my ($file) = @_; return $file->{pos} - length $file->{buf} }

# True when the bytes before the position are no longer those read: the file
# was truncated and written again past the old position between two looks.
sub rewritten {
  my ($file) = @_;
  return 0 unless length $file->{last};
  return read_at($file, $file->{pos} - length $file->{last}, length $file->{last}) ne $file->{last};
}

# Reads up to `limit` bytes and adds the complete lines to the output.
# Returns the number of bytes read.
sub read_some {
  my ($path, $file, $limit) = @_;
  my $done = 0;
  while ($done < $limit) {
    my $room = MAX_LINE + 1 - length $file->{buf};
    my $n = sysread($file->{fh}, my $chunk, $room < READ_BYTES ? $room : READ_BYTES);
    if (!defined $n) {
      next if $!{EINTR};
      report($path, "cannot be read: $!");
      last;
    }
    last unless $n;
    $done += $n;
    $file->{pos} += $n;
    $file->{last} = substr($file->{last} . substr($chunk, -(MARK_BYTES)), -(MARK_BYTES));
    my $end = rindex($chunk, "\n");
    if ($end >= 0) {
      my $lines = $file->{buf} . substr($chunk, 0, $end + 1);
      emit($path, $lines);
      $file->{buf} = substr($chunk, $end + 1);
      $file->{cut} = 0;
    } else {
      $file->{buf} .= $chunk;
      if (length $file->{buf} > MAX_LINE) {
        # A line too long to hold: its first MAX_LINE bytes become a line of their own.
        my $piece = substr($file->{buf}, 0, MAX_LINE) . "\n";
        emit($path, $piece);
        $file->{buf} = substr($file->{buf}, MAX_LINE);
        $file->{cut} = 1;
      }
    }
    flush_output() if length $out >= OUT_BYTES;
  }
  return $done;
}

# Prints what is left of a last line that has no newline yet.
sub emit_partial {
  my ($path, $file) = @_;
  return unless length $file->{buf};
  my $line = $file->{buf} . "\n";
  emit($path, $line);
  $file->{buf} = '';
  $file->{cut} = 1;
}

# ---------------------------------------------------------------- state

my %current;    # path => the file read under that name
my @retired;    # replaced files still read, oldest first: { path, file, until, ours }
my %rotation;   # path => { ino, until }: renamed to <path>.1 by us, the writer not yet reopened

my $state_file = defined $state_dir ? "$state_dir/stream-positions" : undef;
my $saved_state = '';
my $warned_state = 0;

# Deadlines outlive a restart, so that a shipper killed again and again within
# rotateWait still finishes what it started. They are kept in the clock ticks
# of POSIX::times(), which count from one point for every process of a kernel:
# a restarted container runs on the same node. Capped at rotateWait from now.
sub ticks_of { my ($deadline) = @_; return $deadline ? int($deadline * $ticks) : 0 }
sub deadline_of {
  my ($saved) = @_;
  my $latest = now() + $grace;
  return $saved && $saved / $ticks < $latest ? $saved / $ticks : $latest;
}

sub entry {
  my ($kind, $path, $file, $ours, $until) = @_;
  my $at = saved_position($file);
  $file->{mark} = mark_of($file, $at) unless defined $file->{mark_at} && $file->{mark_at} == $at;
  $file->{mark_at} = $at;
  return join("\t", $kind, $path, $file->{dev}, $file->{ino}, $at, $file->{cut}, $ours ? 1 : 0, ticks_of($until), $file->{mark}) . "\n";
}

sub save_state {
  return unless defined $state_file;
  my $body = join('', (map { entry('retired', $_->{path}, $_->{file}, $_->{ours}, $_->{until}) } @retired),
    (map { entry('current', $_, $current{$_}, $rotation{$_}, $rotation{$_} && $rotation{$_}{until}) } grep { $current{$_} } @paths));
  my $text = "stream-positions 2\n$body" . 'end ' . unpack('%32C*', $body) . "\n";
  return if $text eq $saved_state;
  my $partial = "$state_file.tmp";
  my $ok = open(my $state, '>', $partial);
  $ok &&= print $state $text;
  $ok &&= close($state);
  $ok &&= rename($partial, $state_file);
  if ($ok) { $saved_state = $text }
  else { warn "stream: cannot save positions in $state_dir: $!\n" unless $warned_state++ }
}

# The entries of the state file, or undef and why it cannot be used. Reads
# the first version's format too (no marks: only the line end is checked).
sub read_state {
  open(my $in, '<', $state_file) or return $!{ENOENT} ? [] : (undef, "cannot be read: $!");
  local $/;
  my $text = <$in> // '';
  my @entries;
  if ($text =~ s/\Astream-positions 2\n//) {
    return (undef, 'is cut short') unless $text =~ s/^end (\d+)\n\z//m;
    return (undef, 'does not match its checksum') unless $1 == unpack('%32C*', $text);
    for (split /\n/, $text) {
      my @f = split /\t/;
      return (undef, 'has an entry it cannot read') unless @f == 9 && $f[0] =~ /^(current|retired)$/
        && "@f[2..7]" =~ /^\d+ \d+ \d+ [01] [01] \d+$/ && $f[8] =~ /^[0-9a-f]*:[0-9a-f]*$/;
      push @entries, { kind => $f[0], path => $f[1], dev => $f[2], ino => $f[3], pos => $f[4], cut => $f[5], ours => $f[6],
        until => $f[7], mark => $f[8] };
    }
  } else {
    for (split /\n/, $text) {
      my @f = split /\t/;
      return (undef, 'has an entry it cannot read') unless @f == 5 && "@f[2..4]" =~ /^\d+ \d+ \d+$/;
      push @entries, { kind => $f[0], path => $f[1], dev => $f[2], ino => $f[3], pos => $f[4], cut => 0, ours => 0, until => 0 };
    }
  }
  return \@entries;
}

# Names a rotated copy of `path` may have: logrotate's <file>.1, .2 ... and
# dateext's <file>-20261122, kubelet's <file>.20261122-101500 and the like;
# compressed copies cannot be read on.
sub rotated_names {
  my ($path) = @_;
  my ($dir, $base) = $path =~ m{\A(.*)/([^/]*)\z} ? ($1 eq '' ? '/' : $1, $2) : ('.', $path);
  opendir(my $listing, $dir) or return ();
  my @names = grep { /\A\Q$base\E[._-]/ && !/\.(gz|bz2|xz|zst|lz4|Z|zip|tmp)\z/ } readdir $listing;
  return map { $dir eq '/' ? "/$_" : "$dir/$_" } sort @names;
}

# True when the file still holds what was read up to the saved position.
sub verified {
  my ($file, $entry, $size) = @_;
  my $at = $entry->{pos};
  return 0 if $size < $at;
  return 0 if $at > 0 && !$entry->{cut} && read_at($file, $at - 1, 1) ne "\n";
  return 1 unless defined $entry->{mark};
  return mark_of($file, $at) eq $entry->{mark};
}

# Finds the file of a saved entry under its name or a rotated one. Returns
# the name and the file, positioned where the entry says when its content is
# verified; the configured file itself, no longer holding what was read, is
# read from its first line.
sub find_saved {
  my ($entry) = @_;
  my $path = $entry->{path};
  for my $name ($path, rotated_names($path)) {
    my @st = stat($name);
    next unless @st && $st[0] == $entry->{dev} && $st[1] == $entry->{ino};
    my ($file, $problem) = open_regular($name);
    if (!$file) { report($name, $problem) if $problem; return }
    if (verified($file, $entry, $st[7])) {
      $file->{pos} = $entry->{pos};
      $file->{cut} = $entry->{cut};
      sysseek($file->{fh}, $file->{pos}, 0);
      $file->{last} = read_at($file, $file->{pos} < MARK_BYTES ? 0 : $file->{pos} - MARK_BYTES,
        $file->{pos} < MARK_BYTES ? $file->{pos} : MARK_BYTES);
      return ($name, $file, $st[9]);
    }
    next unless $name eq $path;
    warn "stream: $path no longer holds what was read up to its saved position (it was recreated, truncated or "
      . "rewritten while the shipper was stopped): reading it from its first line\n";
    return ($name, $file, $st[9]);
  }
  warn "stream: $path: the file read when the shipper stopped (device $entry->{dev}, inode $entry->{ino}) is gone; "
    . "what was written to it after offset $entry->{pos} was not shipped\n" if $entry->{kind} eq 'current';
  return;
}

sub restore_state {
  return unless defined $state_file;
  my ($entries, $problem) = read_state();
  if (!$entries) {
    warn "stream: $state_file $problem: not used, every file is read from its first line\n";
    return;
  }
  my %configured = map { $_ => 1 } @paths;
  my %held;   # device:inode of every file found
  my %rotated_from;   # path => mtime of the file it was reading when stopped, found under a rotated name
  for my $entry (grep { $configured{$_->{path}} } @$entries) {
    my $path = $entry->{path};
    my ($name, $file, $mtime) = find_saved($entry);
    next unless $file;
    next if $held{"$file->{dev}:$file->{ino}"}++;
    if ($name eq $path) { $current{$path} = $file; next }
    my @now = stat($path);
    my $ours = $entry->{ours} && $name eq "$path.1";
    if (!@now && $ours) {
      # Our rotation was under way: wait for the writer's new file again, or give the name back.
      $current{$path} = $file;
      $rotation{$path} = { ino => $file->{ino}, until => deadline_of($entry->{until}) };
      next;
    }
    push @retired, { path => $path, file => $file, until => deadline_of($entry->{until}), ours => $ours };
    $rotated_from{$path} = $mtime if $entry->{kind} eq 'current' && !$ours;
  }
  # Rotated more than once while stopped: the generations after the one being
  # read were never read, and come before the file under the name.
  for my $path (sort keys %rotated_from) {
    my @newer;
    for my $name (rotated_names($path)) {
      my @st = stat($name);
      next unless @st && S_ISREG($st[2]) && $st[9] >= $rotated_from{$path} && !$held{"$st[0]:$st[1]"};
      my @now = stat($path);
      next if @now && $now[0] == $st[0] && $now[1] == $st[1];
      my ($file) = open_regular($name);
      next unless $file;
      $held{"$st[0]:$st[1]"} = 1;
      push @newer, [$st[9], { path => $path, file => $file, until => now() + $grace, ours => 0 }];
    }
    push @retired, map { $_->[1] } sort { $a->[0] <=> $b->[0] } @newer;
  }
}

# ---------------------------------------------------------------- rotation

sub writer_pid {
  opendir(my $proc, '/proc') or return undef;
  for my $pid (grep { /^\d+$/ } readdir $proc) {
    open(my $cmd, '<', "/proc/$pid/cmdline") or next;
    my $line = <$cmd> // '';
    $line =~ tr/\0/ /;
    return $pid if index($line, $option{'reopen-process'}) == 0;
  }
  return undef;
}

sub same_file {
  my ($name, $file) = @_;
  my @st = stat($name);
  return @st && $st[0] == $file->{dev} && $st[1] == $file->{ino};
}

my $warned_no_writer = 0;
sub rotate {
  my ($path, $file) = @_;
  my $writer = writer_pid();
  unless ($writer && kill(0, $writer)) {
    warn "stream: cannot signal a process whose command line begins with '$option{'reopen-process'}' "
      . "(is shareProcessNamespace on, and the writer running as this user?), not rotating\n" unless $warned_no_writer++;
    return;
  }
  # The intent is on disk before the rename, so a restarted shipper knows <path>.1 is ours.
  $rotation{$path} = { ino => $file->{ino}, until => now() + $grace };
  save_state();
  my $undo = sub {
    rename("$path.1", $path) if same_file("$path.1", $file) && !-e $path;
    delete $rotation{$path};
    save_state();
  };
  rename($path, "$path.1") or do { warn "stream: cannot rename $path: $!\n"; delete $rotation{$path}; save_state(); return };
  # The writer replaced the file between our look and the rename: undo, and look again next round.
  return $undo->() unless same_file("$path.1", $file);
  kill($option{'reopen-signal'}, $writer) or do {
    warn "stream: cannot signal the writer ($writer): $!, rotation of $path undone\n";
    $undo->();
  };
}

# Rotates a file read to its end that has grown past --rotate-bytes, unless
# its last rotation is not done yet (the rotated copy's name is reused).
sub rotate_where_due {
  return unless $rotate_bytes;
  for my $path (@paths) {
    my $file = $current{$path} or next;
    next if $file->{pos} < $rotate_bytes || length $file->{buf} || $file->{no_rotation} || $rotation{$path}
      || grep { $_->{path} eq $path } @retired;
    rotate($path, $file);
  }
}

# ---------------------------------------------------------------- rounds

# How much of a file this round may read, and whether reading that much means there is more.
sub allowance {
  my ($file) = @_;
  return (ROUND_BYTES, 1) unless $stopping;
  $file->{stop_size} //= (stat($file->{fh}))[7] // 0;
  my $left = $file->{stop_size} - $file->{pos};
  return $left < ROUND_BYTES ? ($left > 0 ? $left : 0, 0) : (ROUND_BYTES, 1);
}

# Notices a new, replaced, truncated or rewritten file, then reads some of it.
# Returns true when the file has more to read than this round allowed.
sub poll_path {
  my ($path) = @_;
  my $file = $current{$path};
  my @st = stat($path);
  if ($file && @st && ($st[0] != $file->{dev} || $st[1] != $file->{ino})) {
    # Replaced: whoever still writes to the old file (nginx before it reopens)
    # is read for rotateWait more seconds, before the new file.
    my $ours = $rotation{$path} && $rotation{$path}{ino} == $file->{ino};
    delete $rotation{$path};
    push @retired, { path => $path, file => $file, until => now() + $grace, ours => $ours };
    $file = $current{$path} = undef;
    return 1;   # the old file is read first, in the next round
  }
  if (!$file) {
    return 0 unless @st;
    my ($new, $problem) = open_regular($path);
    if (!$new) { report($path, $problem) if $problem; return 0 }
    resolved($path);
    $file = $current{$path} = $new;
  } elsif (@st && ($st[7] < $file->{pos} || rewritten($file))) {
    # Truncated (copytruncate), or truncated and written past the old position since the last look.
    emit_partial($path, $file);
    sysseek($file->{fh}, 0, 0);
    @$file{qw(pos buf cut last)} = (0, '', 0, '');
  } elsif (!@st && $rotation{$path} && now() > $rotation{$path}{until}) {
    # Signalled, but the writer never made a new file: give the file its name
    # back and do not rotate it again (the kubelet's eviction at sizeLimit says the rest).
    warn "stream: the writer did not reopen $path within $grace seconds, rotation undone and stopped for this file\n";
    rename("$path.1", $path) if same_file("$path.1", $file);
    delete $rotation{$path};
    $file->{no_rotation} = 1;
  }
  my ($limit, $more) = allowance($file);
  return read_some($path, $file, $limit) >= $limit && $more;
}

# Closes a replaced file once it has been read to its end and rotateWait has
# passed; deletes our own rotated copy once the writer has its new file.
sub retire {
  my ($old) = @_;
  my ($path, $file) = @$old{qw(path file)};
  emit_partial($path, $file);
  flush_output();
  if ($old->{ours} && same_file("$path.1", $file)) {
    my @now = stat($path);
    unlink("$path.1") if @now && !($now[0] == $file->{dev} && $now[1] == $file->{ino});
  }
  close $file->{fh};
}

# One round: the replaced files of each path first, oldest first, then the
# file under the name; a newer file waits while an older one has more to read.
sub round {
  my $more = 0;
  my %behind;
  for my $old (@retired) {
    if ($behind{$old->{path}}) { $old->{at_end} = 0; next }
    my ($limit, $more_if_full) = allowance($old->{file});
    my $read = read_some($old->{path}, $old->{file}, $limit);
    $old->{at_end} = $read < $limit || !$more_if_full;
    next if $old->{at_end};
    $behind{$old->{path}} = 1;
    $more = 1;
  }
  my @done = grep { $_->{at_end} && ($stopping ? 0 : now() > $_->{until}) } @retired;
  if (@done) {
    flush_output();
    retire($_) for @done;
    my %gone = map { ($_ => 1) } @done;
    @retired = grep { !$gone{$_} } @retired;
  }
  for my $path (@paths) {
    next if $behind{$path};
    $more = 1 if poll_path($path);
  }
  return $more;
}

restore_state();
my $stop_at;
while (1) {
  my $more = round();
  flush_output();
  save_state();
  if ($stopping) {
    $stop_at //= now() + $stop_within;
    my $late = now() >= $stop_at;
    if (!$more || $late) {
      if ($late) {
        warn "stream: stopping after $stop_within seconds with lines not yet printed; a restarted shipper goes on from here\n";
      } else {
        emit_partial($_->{path}, $_->{file}) for @retired;
        emit_partial($_, $current{$_}) for grep { $current{$_} } @paths;
      }
      flush_output();
      save_state();
      exit 0;
    }
    next;
  }
  rotate_where_due();
  select(undef, undef, undef, POLL) unless $more;
}
