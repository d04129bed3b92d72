package pgsource

import "fmt"

// GrantsSQL is what a database owner runs once so that pg-source can work
// as role, a least-privilege login that has the REPLICATION attribute and
// nothing else: the publication (creating one needs the table's owner),
// read access to the table for the snapshot, and the state table pg-source
// keeps its snapshot progress in. role cannot change the customers.
// Names must be plain identifiers (Config.Validate checks publication).
//
//	CREATE ROLE orders_cdc LOGIN REPLICATION PASSWORD '…';
//	-- then, as the owner of the customers table: GrantsSQL("orders_cdc", "orders_cdc")
func GrantsSQL(role, publication string) string {
	return fmt.Sprintf(`DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '%[2]s') THEN
    CREATE PUBLICATION %[2]s FOR TABLE %[3]s;
  END IF;
END $$;
%[4]s;
GRANT SELECT ON %[3]s TO %[1]s;
GRANT SELECT, INSERT, UPDATE ON orders_cdc_state TO %[1]s;
`, role, publication, Table, stateSchema)
}
