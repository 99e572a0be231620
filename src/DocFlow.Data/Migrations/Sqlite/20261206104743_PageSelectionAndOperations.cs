using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PageSelectionAndOperations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "page_selection",
                table: "jobs",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "batch_operations",
                columns: table => new
                {
                    batch_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    tenant = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    processor_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    output_prefix = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    field_mask = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    request_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    cancelled_at = table.Column<long>(type: "INTEGER", nullable: true),
                    outputs_written_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_operations", x => x.batch_id);
                    table.ForeignKey(
                        name: "FK_batch_operations_batches_batch_id",
                        column: x => x.batch_id,
                        principalTable: "batches",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_batch_operations_request_key",
                table: "batch_operations",
                column: "request_key");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batch_operations");

            migrationBuilder.DropColumn(
                name: "page_selection",
                table: "jobs");
        }
    }
}
