use strict;
use warnings;

# Keeps Fluent Bit's position databases usable. Fluent Bit 3.2 exits at start
# when a database in its state directory is not a SQLite file (garbage, cut
# short), and a kubelet restarting it finds the same file on the same emptyDir
# every time: a crash loop that ships nothing. Its image has no shell, so this
# runs beside it: every few seconds it looks at each *.db in the directory and
# moves a damaged one aside, with its journal, so that the next start of Fluent
# Bit begins that file anew (from the first line: lines are shipped again, not
# lost). It also says, once, when the directory cannot be written (read-only,
# or full), which Fluent Bit only reports by exiting.
#
# Run as: perl -e PROGRAM -- STATE_DIRECTORY [SECONDS]
my ($dir, $interval) = @ARGV;
die "state-keeper: no state directory given\n" unless defined $dir;
$interval ||= 2;
$| = 1;
$SIG{TERM} = $SIG{INT} = sub { exit 0 };

# Why a file is not a SQLite database Fluent Bit can open, or undef when it looks like one.
# Only the header is read: a file Fluent Bit has locked can still be read.
sub damage {
  my ($path) = @_;
  my $size = -s $path;
  return undef unless $size;    # missing or empty: Fluent Bit creates a new database
  open(my $fh, '<', $path) or return undef;    # unreadable to us: permissions, not damage
  binmode $fh;
  my $got = read($fh, my $header, 101) // 0;
  close $fh;
  return "$size bytes, shorter than a SQLite header" if $got < 101;
  return 'no SQLite header' unless substr($header, 0, 16) eq "SQLite format 3\0";
  my $page = unpack('n', substr($header, 16, 2));
  $page = 65536 if $page == 1;
  return "page size $page" unless $page >= 512 && $page <= 65536 && ($page & ($page - 1)) == 0;
  # The first page holds the schema table: an interior or leaf table b-tree page.
  my $type = ord(substr($header, 100, 1));
  return sprintf('first page of type 0x%02x', $type) unless $type == 0x05 || $type == 0x0d;
  return undef;
}

my %said;
sub say_once {
  my ($key, $message) = @_;
  print "state-keeper: $message\n" unless $said{$key}++;
}

while (1) {
  if (opendir(my $dh, $dir)) {
    for my $name (sort grep { /\.db$/ } readdir $dh) {
      my $path = "$dir/$name";
      my $why = damage($path) // next;
      my $aside = "$path.damaged-" . time;
      for my $suffix ('', '-journal', '-wal', '-shm') {
        rename("$path$suffix", "$aside$suffix") if -e "$path$suffix";
      }
      print "state-keeper: $path is not a usable SQLite database ($why): moved it to $aside, "
        . "so Fluent Bit reads that file again from its first line\n";
    }
    closedir $dh;
    my $probe = "$dir/.state-keeper-probe";
    my $out;
    if (open($out, '>', $probe) && print($out 'x' x 4096) && close($out)) {
      delete $said{write};
    } else {
      say_once('write', "cannot write to $dir ($!): Fluent Bit cannot save its positions or buffer there");
    }
    unlink $probe;
  } else {
    say_once('read', "cannot read $dir: $!");
  }
  sleep $interval;
}
