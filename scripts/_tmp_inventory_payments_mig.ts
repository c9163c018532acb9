import { createMigration } from "@storefront/db";
for (const name of ["inventory", "payments"]) {
  const created = await createMigration(
    { kind: "postgres", url: `postgresql://postgres@127.0.0.1:5432/storefront_dev_${name}` },
    { schemaDir: `/work/main/prisma/${name}`, name: "init" },
  );
  console.log(name, created.migration);
}
process.exit(0);
