use strict;
use warnings;

# Rotates log files that Fluent Bit, in another container of the pod, reads,
# so that the log volume stays bounded: Fluent Bit's image has no shell and
# Fluent Bit does not rotate. When a file is at least --rotate-bytes, it is
# renamed to <file>.1 and the writer gets a signal to reopen its logs: by
# default nginx's master SIGUSR1, else the first process whose command line
# (NULs read as spaces) starts with --reopen-process gets --reopen-signal (the
# pod shares its process namespace, and both run as one user). Fluent Bit goes
# on reading the renamed file through the descriptor it holds; the copy is
# deleted only once the writer has reopened (--rotate-wait seconds after the new
# file appeared) and Fluent Bit has read it to its end: the position of its
# descriptor (/proc/PID/fdinfo) has reached the file's size. A file is not
# rotated again while its previous copy is still there.
#
# Run as: perl -e PROGRAM -- --rotate-bytes N [--rotate-wait SECONDS]
#   [--reopen-process PREFIX --reopen-signal NAME] -- FILE...
my ($rotate_bytes, $grace, $poll) = (0, 5, 0.25);
my ($reopen_process, $reopen_signal) = ('nginx: master process', 'USR1');
while (@ARGV && $ARGV[0] =~ /^--/) {
  my $option = shift @ARGV;
  if ($option eq '--rotate-bytes') { $rotate_bytes = shift @ARGV }
  elsif ($option eq '--rotate-wait') { $grace = shift @ARGV }
  elsif ($option eq '--reopen-process') { $reopen_process = shift @ARGV }
  elsif ($option eq '--reopen-signal') { $reopen_signal = shift @ARGV }
  elsif ($option eq '--') { last }
  else { die "rotator: unknown option $option\n" }
}
die "rotator: no --rotate-bytes and files given\n" unless $rotate_bytes && @ARGV;
# How messages name the writer: as before for nginx.
my $nginx = $reopen_process eq 'nginx: master process';
my $writer = $nginx ? 'nginx' : qq{the process "$reopen_process"};
my $wanted = $nginx ? 'an nginx master process' : qq{a process whose command line starts with "$reopen_process"};
$| = 1;
$SIG{TERM} = $SIG{INT} = sub { exit 0 };

# [pid, program] of every process this container can see.
sub processes {
  opendir(my $proc, '/proc') or return ();
  my @found;
  for my $pid (grep { /^\d+$/ } readdir $proc) {
    open(my $cmd, '<', "/proc/$pid/cmdline") or next;
    my $line = <$cmd> // '';
    push @found, [$pid, $line];
  }
  return @found;
}

sub writer_process {
  for (processes()) {
    (my $line = $_->[1]) =~ tr/\0/ /;
    return $_->[0] if substr($line, 0, length $reopen_process) eq $reopen_process;
  }
  return undef;
}

# The positions of Fluent Bit's descriptors on the file with this device and inode.
sub fluent_bit_positions {
  my ($dev, $ino) = @_;
  my @positions;
  for my $process (processes()) {
    my ($pid, $cmdline) = @$process;
    my ($program) = split /\0/, $cmdline;
    next unless defined $program && $program =~ m{(^|/)fluent-bit$};
    opendir(my $fds, "/proc/$pid/fd") or next;
    for my $fd (grep { /^\d+$/ } readdir $fds) {
      my @st = stat("/proc/$pid/fd/$fd");
      next unless @st && $st[0] == $dev && $st[1] == $ino;
      open(my $info, '<', "/proc/$pid/fdinfo/$fd") or next;
      while (my $line = <$info>) { push @positions, $1 if $line =~ /^pos:\s+(\d+)/ }
    }
  }
  return @positions;
}

my %rotated;    # path => { dev, ino, at, reopened, seen, read_all } (times in polls)
my %stopped;    # paths not rotated any more
my $tick = 0;
my $said_no_master = 0;

sub rotate {
  my ($path) = @_;
  my $master = writer_process();
  unless ($master && kill(0, $master)) {
    print "rotator: cannot signal $wanted (is shareProcessNamespace on, and $writer running as this user?), not rotating\n"
      unless $said_no_master++;
    return;
  }
  my @st = stat($path) or return;
  rename($path, "$path.1") or do { print "rotator: cannot rename $path: $!\n"; return };
  $rotated{$path} = { dev => $st[0], ino => $st[1], at => $tick };
  kill($reopen_signal, $master) or print "rotator: cannot signal $writer ($master): $!\n";
}

sub follow_rotated {
  my ($path) = @_;
  my $old = $rotated{$path};
  my @copy = stat("$path.1");
  if (!@copy || $copy[1] != $old->{ino}) { delete $rotated{$path}; return }
  my @positions = fluent_bit_positions($old->{dev}, $old->{ino});
  if (@positions) {
    $old->{seen} = 1;
    $old->{read_all} = !grep { $_ < $copy[7] } @positions;
  }
  if (!-e $path) {
    # Signalled, but the writer made no new file: give the file its name back and stop rotating it.
    if ($tick - $old->{at} > $grace / $poll) {
      print "rotator: $writer did not reopen $path within $grace seconds, rotation undone and stopped for this file\n";
      rename("$path.1", $path);
      delete $rotated{$path};
      $stopped{$path} = 1;
    }
    return;
  }
  # The writer's workers (nginx's) may reopen a moment after its master: until then they may still write the copy.
  $old->{reopened} //= $tick;
  return if $tick - $old->{reopened} < $grace / $poll;
  my $done = @positions ? $old->{read_all}
    # Closed: read to its end when last seen open, or given up by Fluent Bit (it warns
    # "purged rotated file while data ingestion is paused": its rest is lost either way).
    : $old->{seen} ? 1
    # Never seen open (Fluent Bit was not running, or closed it between two looks): keep
    # the volume bounded after a while, and say what may be lost.
    : $tick - $old->{reopened} > 2 * $grace / $poll;
  return unless $done;
  if (!@positions && !$old->{read_all}) {
    print "rotator: Fluent Bit no longer reads $path.1 and did not read it to its end; deleted it, its unread lines are lost\n";
  }
  unlink("$path.1");
  delete $rotated{$path};
}

while (1) {
  for my $path (@ARGV) {
    if ($rotated{$path}) { follow_rotated($path) }
    elsif (!$stopped{$path} && !-e "$path.1" && (-s $path // 0) >= $rotate_bytes) { rotate($path) }
  }
  select(undef, undef, undef, $poll);
  $tick++;
}
