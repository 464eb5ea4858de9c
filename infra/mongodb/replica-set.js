// MongoDB's health check in docker-compose.yml (mongosh): initiates the single-node replica set on
// the first run, then reports healthy once this member is primary. The read store needs a replica
// set for its transactions (decision 0011). The member's address is the compose service name, which
// is what the services connect to.
try {
  rs.status();
} catch (err) {
  if (err.codeName !== 'NotYetInitialized') throw err;
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongodb:27017' }] });
}
if (!db.hello().isWritablePrimary) quit(1);
