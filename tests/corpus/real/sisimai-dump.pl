use strict; use warnings; use lib '/tmp/e-corpus/p5/lib'; use Sisimai; use JSON;
my $json = JSON->new->canonical(1);
for my $f (@ARGV) {
  my $r = eval { Sisimai->rise($f, delivered => 1, vacation => 1) } || [];
  my @out = map { { recipient => $_->recipient->address, addresser => $_->addresser->address, messageid => $_->messageid, subject => $_->subject, action => $_->action, reason => $_->reason, status => $_->deliverystatus, agent => $_->smtpagent, alias => $_->alias } } @$r;
  print $json->encode({ file => $f, results => \@out }), "\n";
}
