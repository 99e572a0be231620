using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DocFlow.Data.Migrations.Postgres
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
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "batch_operations",
                columns: table => new
                {
                    batch_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    tenant = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    processor_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    output_prefix = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true),
                    field_mask = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    request_key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    outputs_written_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
