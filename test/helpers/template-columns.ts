// The columns of the plant tables each shipped mapping template reads (templates/mappings/), as a
// table of that layout has them: the input the template tests feed to suggestTemplate and to the
// fuzzer. Written out rather than read from the templates, so a template that stops reading a
// column its layout has is noticed.
import { DEMO_COLUMNS } from '../../core/demo/plant.js';

/** generic-scale-ticket: the demo plant's Tickets table, key and change column included. */
export const SCALE_COLUMNS = ['TicketID', ...DEMO_COLUMNS, 'LastModified'];

/** ready-mix-single-table: one row a load. */
export const READY_MIX_COLUMNS = [
  'TicketNum',
  'LoadTime',
  'PlantNum',
  'PlantName',
  'CustCode',
  'CustName',
  'ProjectNum',
  'OrderNum',
  'CustPO',
  'MixCode',
  'MixDesc',
  'LoadQty',
  'QtyUOM',
  'DeliveredToDate',
  'LoadNum',
  'TruckNum',
  'DriverName',
  'DelivAddr1',
  'DelivCity',
  'DelivState',
  'TicketStatus',
  'VoidReason',
  'Slump',
];

/** commandseries-tick-tktl: the header table TICK… */
export const TICK_COLUMNS = [
  'order_date',
  'tkt_code',
  'tkt_date',
  'plant_code',
  'order_code',
  'cust_code',
  'cust_name',
  'truck_code',
  'hauler_code',
  'hauler_name',
  'driver_name',
  'load_num',
  'weighmaster',
  'proj_code',
  'state_proj_num',
  'cust_po_num',
  'delv_addr1',
  'delv_city',
  'delv_state',
  'tkt_instr',
  'wgt_uom',
  'tkt_void_flag',
  'void_rsn_descr',
  'update_date',
];

/** …and its lines table TKTL (order_date + tkt_code lead to the header). */
export const TKTL_COLUMNS = [
  'order_date',
  'tkt_code',
  'tkt_line_num',
  'prod_code',
  'prod_descr',
  'item_cat',
  'delv_qty',
  'delv_qty_uom',
  'gross_wgt',
  'tare_wgt',
  'net_wgt',
  'mix_code',
  'load_temp',
  'pay_item',
];
