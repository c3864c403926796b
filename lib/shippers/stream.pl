use strict;
use warnings;

# Prints every line of the given log files exactly once, in order, from the
# first line: follows each path by name (the file may not exist yet), reads a
# replaced file (rename + new file) to its end before moving on, and starts
# over when a file is truncated. With --rotate-bytes, it also rotates a file
# that has grown past that size and has been read to its end: renames it and
# asks nginx to reopen its logs (SIGUSR1 to its master process, visible with
# shareProcessNamespace). A replaced file is still read for --rotate-wait
# seconds (default 5). With --state DIR, it keeps each file's position there
# (by device and inode, as Fluent Bit's tail database does) and a restarted
# shipper goes on where the last one stopped. On SIGTERM it reads what is
# left, saves its positions, then exits.
my ($tag, $rotate_bytes, $poll, $grace, $state_dir) = (0, 0, 0.2, 5, undef);
while (@ARGV && $ARGV[0] =~ /^--/) {
  my $option = shift @ARGV;
  if ($option eq '--tag') { $tag = 1 }
  elsif ($option eq '--rotate-bytes') { $rotate_bytes = shift @ARGV }
  elsif ($option eq '--rotate-wait') { $grace = shift @ARGV }
  elsif ($option eq '--state') { $state_dir = shift @ARGV }
  elsif ($option eq '--') { last }
  else { die "stream: unknown option $option\n" }
}
die "stream: no log files given\n" unless @ARGV;
$| = 1;

my $stopping = 0;
$SIG{TERM} = $SIG{INT} = sub { $stopping = 1 };

my %current;   # path => { fh, dev, ino, pos, buf }
my @retired;   # replaced files still read for $grace seconds: { path, file, until }
my $tick = 0;  # polls so far: perl-base has no sub-second clock, so time is counted in polls

sub label { my ($path) = @_; $path =~ s{.*/}{}; return $path }

sub emit {
  my ($path, $line) = @_;
  print $tag ? '[' . label($path) . "] $line\n" : "$line\n";
}

sub drain {
  my ($path, $file) = @_;
  while (1) {
    my $n = sysread($file->{fh}, my $chunk, 65536);
    last unless $n;
    $file->{pos} += $n;
    my @lines = split /\n/, $file->{buf} . $chunk, -1;
    $file->{buf} = pop @lines;
    emit($path, $_) for @lines;
  }
}

sub finish {
  my ($path, $file) = @_;
  drain($path, $file);
  emit($path, $file->{buf}) if length $file->{buf};
  $file->{buf} = '';
  close $file->{fh};
}

# Positions are those of the last complete line printed: a line cut short is read again.
my $saved_state = '';
my $warned_state = 0;
sub save_state {
  return unless defined $state_dir;
  my $entry = sub {
    my ($kind, $path, $file) = @_;
    return join("\t", $kind, $path, $file->{dev}, $file->{ino}, $file->{pos} - length $file->{buf}) . "\n";
  };
  my $text = join('', (map { $entry->('retired', $_->{path}, $_->{file}) } @retired),
    (map { $entry->('current', $_, $current{$_}) } grep { $current{$_} } @ARGV));
  return if $text eq $saved_state;
  my $partial = "$state_dir/stream-positions.tmp";
  my $ok = open(my $out, '>', $partial);
  $ok &&= print $out $text;
  $ok &&= close($out);
  $ok &&= rename($partial, "$state_dir/stream-positions");
  if ($ok) { $saved_state = $text }
  else { warn "stream: cannot save positions in $state_dir: $!\n" unless $warned_state++ }
}

# A file being read when the last shipper stopped is found again by its inode,
# under its name or, if it was rotated meanwhile, under its rotated name.
sub restore_state {
  return unless defined $state_dir;
  open(my $in, '<', "$state_dir/stream-positions") or return;
  my %wanted = map { $_ => 1 } @ARGV;
  while (my $line = <$in>) {
    chomp $line;
    my ($kind, $path, $dev, $ino, $pos) = split /\t/, $line;
    next unless defined $pos && $wanted{$path};
    for my $candidate ($kind eq 'current' ? ($path, "$path.1") : ("$path.1")) {
      my @st = stat($candidate);
      next unless @st && $st[0] == $dev && $st[1] == $ino;
      my $file = open_file($candidate) or next;
      if ($st[7] >= $pos) { sysseek($file->{fh}, $pos, 0); $file->{pos} = $pos }
      if ($candidate eq $path) { $current{$path} = $file }
      else { push @retired, { path => $path, file => $file, until => $tick + $grace / $poll } }
      last;
    }
  }
}

sub open_file {
  my ($path) = @_;
  open(my $fh, '<', $path) or return undef;
  my @st = stat($fh);
  return { fh => $fh, dev => $st[0], ino => $st[1], pos => 0, buf => '' };
}

sub nginx_master {
  opendir(my $proc, '/proc') or return undef;
  for my $pid (grep { /^\d+$/ } readdir $proc) {
    open(my $cmd, '<', "/proc/$pid/cmdline") or next;
    my $line = <$cmd> // '';
    return $pid if $line =~ /^nginx: master process/;
  }
  return undef;
}

my $warned_no_master = 0;
sub rotate {
  my ($path, $file) = @_;
  # One rotation at a time per file: the rotated copy's name is reused by the next one.
  return if $stopping || defined $file->{rotating} || $file->{no_rotation} || grep { $_->{path} eq $path } @retired;
  my $master = nginx_master();
  unless ($master && kill(0, $master)) {
    warn "stream: cannot signal an nginx master process (is shareProcessNamespace on, and nginx running as this user?), not rotating\n"
      unless $warned_no_master++;
    return;
  }
  rename($path, "$path.1") or do { warn "stream: cannot rename $path: $!\n"; return };
  my @moved = stat("$path.1");
  if (!@moved || $moved[1] != $file->{ino}) {
    # nginx replaced the file between our stat and the rename: undo, and look again next poll.
    rename("$path.1", $path);
    return;
  }
  $file->{rotating} = $tick;
  kill('USR1', $master) or do {
    warn "stream: cannot signal nginx ($master): $!, rotation of $path undone\n";
    rename("$path.1", $path);
    delete $file->{rotating};
  };
}

sub poll_path {
  my ($path) = @_;
  my $file = $current{$path};
  my @st = stat($path);
  if (!$file) {
    $current{$path} = $file = open_file($path) if @st;
    drain($path, $file) if $file;
    return;
  }
  if (@st && ($st[0] != $file->{dev} || $st[1] != $file->{ino})) {
    # Replaced: whoever still writes to the old file (nginx before it reopens)
    # is read for $grace more seconds, before the new file.
    drain($path, $file);
    push @retired, { path => $path, file => $file, until => $tick + $grace / $poll };
    $current{$path} = $file = open_file($path);
  } elsif (@st && $st[7] < $file->{pos}) {
    # Truncated (a rewrite past the old position within one poll goes unnoticed, as with tail -F).
    emit($path, $file->{buf}) if length $file->{buf};
    sysseek($file->{fh}, 0, 0);
    @$file{qw(pos buf)} = (0, '');
  } elsif (!@st && defined $file->{rotating} && $tick - $file->{rotating} > $grace / $poll) {
    # Signalled, but nginx never made a new file: give the file its name back, and
    # do not rotate it again (the kubelet's eviction at sizeLimit says the rest).
    warn "stream: nginx did not reopen $path within $grace seconds, rotation undone and stopped for this file\n";
    my @moved = stat("$path.1");
    rename("$path.1", $path) if @moved && $moved[1] == $file->{ino};
    delete $file->{rotating};
    $file->{no_rotation} = 1;
  }
  drain($path, $file) if $file;
  if ($rotate_bytes && $file && $file->{pos} >= $rotate_bytes && !length $file->{buf}) {
    rotate($path, $file);
  }
}

restore_state();
while (1) {
  for my $old (@retired) { drain($old->{path}, $old->{file}) }
  my @expired = grep { $stopping || $tick > $_->{until} } @retired;
  @retired = grep { !$stopping && $tick <= $_->{until} } @retired;
  for my $old (@expired) {
    finish($old->{path}, $old->{file});
    unlink("$old->{path}.1") if $rotate_bytes;
  }
  poll_path($_) for @ARGV;
  if ($stopping) {
    finish($_, $current{$_}) for grep { $current{$_} } @ARGV;
    save_state();
    exit 0;
  }
  save_state();
  select(undef, undef, undef, $poll);
  $tick++;
}
