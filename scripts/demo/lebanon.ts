/**
 * The pilot's geography and livelihoods: Lebanon's eight governorates and the districts (qada') where
 * households are enrolled, with English and Arabic names, and the asset kits the programme buys.
 * Events carry the English names (the key every service matches districts on); the Arabic names are
 * here for anyone rendering them.
 */

export interface District {
  en: string;
  ar: string;
  /** Share of the caseload (relative weight): the pilot targets the poorest areas. */
  weight: number;
  /** Sectors the district's market assessment finds viable. */
  sectors: readonly Sector[];
}

export interface Governorate {
  en: string;
  ar: string;
  districts: readonly District[];
}

export const SECTORS = ['tailoring', 'food-processing', 'agriculture', 'livestock', 'hairdressing', 'phone-repair', 'small-retail'] as const;
export type Sector = (typeof SECTORS)[number];

const RURAL: readonly Sector[] = ['tailoring', 'food-processing', 'agriculture', 'livestock', 'small-retail'];
const TOWN: readonly Sector[] = ['tailoring', 'food-processing', 'hairdressing', 'phone-repair', 'small-retail'];
const MIXED: readonly Sector[] = ['tailoring', 'food-processing', 'agriculture', 'hairdressing', 'phone-repair', 'small-retail'];

/** Governorates in the order the demo lists them: English name → Arabic name. */
const GOVERNORATE_NAMES = {
  Akkar: 'عكار',
  North: 'الشمال',
  'Baalbek-Hermel': 'بعلبك - الهرمل',
  Bekaa: 'البقاع',
  'Mount Lebanon': 'جبل لبنان',
  Beirut: 'بيروت',
  South: 'الجنوب',
  Nabatieh: 'النبطية',
} as const;

/** One row a district: its governorate, English and Arabic names, caseload weight and viable sectors. */
const DISTRICTS: readonly (readonly [keyof typeof GOVERNORATE_NAMES, string, string, number, readonly Sector[]])[] = [
  ['Akkar', 'Akkar', 'عكار', 14, [...RURAL, 'hairdressing']],
  ['North', 'Tripoli', 'طرابلس', 14, TOWN],
  ['North', 'Minieh-Danniyeh', 'المنية - الضنية', 6, RURAL],
  ['North', 'Zgharta', 'زغرتا', 2, MIXED],
  ['North', 'Koura', 'الكورة', 1, MIXED],
  ['Baalbek-Hermel', 'Baalbek', 'بعلبك', 10, [...RURAL, 'phone-repair']],
  ['Baalbek-Hermel', 'Hermel', 'الهرمل', 4, RURAL],
  ['Bekaa', 'Zahle', 'زحلة', 6, MIXED],
  ['Bekaa', 'West Bekaa', 'البقاع الغربي', 5, RURAL],
  ['Bekaa', 'Rashaya', 'راشيا', 1, RURAL],
  ['Mount Lebanon', 'Baabda', 'بعبدا', 4, TOWN],
  ['Mount Lebanon', 'Chouf', 'الشوف', 3, MIXED],
  ['Mount Lebanon', 'Aley', 'عاليه', 1, MIXED],
  ['Beirut', 'Beirut', 'بيروت', 5, TOWN],
  ['South', 'Saida', 'صيدا', 5, MIXED],
  ['South', 'Tyre', 'صور', 5, MIXED],
  ['South', 'Jezzine', 'جزين', 1, RURAL],
  ['Nabatieh', 'Nabatieh', 'النبطية', 4, MIXED],
  ['Nabatieh', 'Bint Jbeil', 'بنت جبيل', 2, RURAL],
  ['Nabatieh', 'Marjeyoun', 'مرجعيون', 1, RURAL],
];

export const GOVERNORATES: readonly Governorate[] = Object.entries(GOVERNORATE_NAMES).map(([en, ar]) => ({
  en,
  ar,
  districts: DISTRICTS.filter(([governorate]) => governorate === en).map(([, district, districtAr, weight, sectors]) => ({ en: district, ar: districtAr, weight, sectors })),
}));

export interface Place {
  governorate: Governorate;
  district: District;
}

export const PLACES: readonly Place[] = GOVERNORATES.flatMap((governorate) => governorate.districts.map((district) => ({ governorate, district })));

export type KitCategory = 'agriculture' | 'cooking' | 'sewing-embroidery' | 'painting' | 'other-tools';

export interface Kit {
  itemCode: string;
  name: string;
  category: KitCategory;
  /** US cents: the most the programme pays for one. */
  unitCostCeilingMinor: number;
  sector: Sector;
  supplier: string;
}

/** Real livelihood kits, with ceilings from local supplier quotes (US cents). */
export const KITS: readonly Kit[] = [
  { itemCode: 'SEW-IND-01', name: 'Industrial straight-stitch sewing machine with table and motor', category: 'sewing-embroidery', unitCostCeilingMinor: 42_000, sector: 'tailoring', supplier: 'Al Mina Sewing Supplies' },
  { itemCode: 'SEW-OVL-02', name: 'Four-thread overlock machine', category: 'sewing-embroidery', unitCostCeilingMinor: 32_000, sector: 'tailoring', supplier: 'Al Mina Sewing Supplies' },
  { itemCode: 'SEW-EMB-03', name: 'Embroidery kit: machine, hoops and threads', category: 'sewing-embroidery', unitCostCeilingMinor: 28_000, sector: 'tailoring', supplier: 'Tarazi Textiles' },
  { itemCode: 'FOOD-MOU-01', name: 'Mouneh kit: stainless pots, jar sealer, scales and 500 jars', category: 'cooking', unitCostCeilingMinor: 35_000, sector: 'food-processing', supplier: 'Bekaa Food Equipment' },
  { itemCode: 'FOOD-SAJ-02', name: 'Saj oven with gas bottle and dough sheeter', category: 'cooking', unitCostCeilingMinor: 42_000, sector: 'food-processing', supplier: 'Bekaa Food Equipment' },
  { itemCode: 'FOOD-DRY-03', name: 'Solar food dryer and vacuum packer', category: 'cooking', unitCostCeilingMinor: 26_000, sector: 'food-processing', supplier: 'Green Sun Lebanon' },
  { itemCode: 'AGR-DRIP-01', name: 'Drip irrigation and small greenhouse kit', category: 'agriculture', unitCostCeilingMinor: 48_000, sector: 'agriculture', supplier: 'Agri-Zahle Cooperative Store' },
  { itemCode: 'AGR-BEE-02', name: 'Beekeeping kit: five hives, suit, smoker and extractor', category: 'agriculture', unitCostCeilingMinor: 55_000, sector: 'agriculture', supplier: 'Shouf Apiary Supplies' },
  { itemCode: 'LIV-GOAT-01', name: 'Two Baladi goats with shelter materials and feed', category: 'agriculture', unitCostCeilingMinor: 60_000, sector: 'livestock', supplier: 'Hermel Livestock Traders' },
  { itemCode: 'LIV-HEN-02', name: 'Twenty-five laying hens with coop, feeders and drinkers', category: 'agriculture', unitCostCeilingMinor: 38_000, sector: 'livestock', supplier: 'Akkar Poultry Farm' },
  { itemCode: 'HAIR-KIT-01', name: 'Hairdressing kit: hydraulic chair, hood dryer, straighteners, clippers', category: 'other-tools', unitCostCeilingMinor: 52_000, sector: 'hairdressing', supplier: 'Beauty Line SARL' },
  { itemCode: 'HAIR-BAS-02', name: 'Wash basin with mixer tap and water heater', category: 'other-tools', unitCostCeilingMinor: 24_000, sector: 'hairdressing', supplier: 'Beauty Line SARL' },
  { itemCode: 'PHN-REP-01', name: 'Mobile-phone repair bench: soldering station, microscope, tool set', category: 'other-tools', unitCostCeilingMinor: 43_000, sector: 'phone-repair', supplier: 'Tech Parts Hamra' },
  { itemCode: 'PHN-STK-02', name: 'Spare parts and accessories starter stock', category: 'other-tools', unitCostCeilingMinor: 20_000, sector: 'phone-repair', supplier: 'Tech Parts Hamra' },
  { itemCode: 'RET-KSK-01', name: 'Kiosk shelving, display fridge and solar light', category: 'other-tools', unitCostCeilingMinor: 50_000, sector: 'small-retail', supplier: 'Saida Shopfitters' },
  { itemCode: 'RET-STK-02', name: 'Opening stock of dry goods and hygiene items', category: 'other-tools', unitCostCeilingMinor: 25_000, sector: 'small-retail', supplier: 'Wholesale Dora' },
];

export const kitsOf = (sector: Sector): Kit[] => KITS.filter((k) => k.sector === sector);

/** Given and family names of the caseload (Lebanese, Syrian-Lebanese and Palestinian-Lebanese households). */
export const NAMES = {
  F: ['Rima', 'Fatima', 'Zeinab', 'Maryam', 'Hiba', 'Rana', 'Nour', 'Samar', 'Hanan', 'Layla', 'Mona', 'Rasha', 'Amal', 'Hala', 'Nadine', 'Ghada', 'Sawsan', 'Iman', 'Dalal', 'Khadija', 'Joumana', 'Rola', 'Siham', 'Wafaa'],
  M: ['Ahmad', 'Mohammad', 'Ali', 'Hassan', 'Hussein', 'Khaled', 'Omar', 'Mahmoud', 'Bilal', 'Rami', 'Elie', 'Georges', 'Fadi', 'Walid', 'Ziad', 'Samir', 'Tarek', 'Youssef', 'Jihad', 'Nabil', 'Rabih', 'Wissam', 'Karim', 'Issam'],
  family: ['Haddad', 'Khoury', 'Hamdan', 'Saleh', 'Darwish', 'Mansour', 'Nasser', 'Ayoub', 'Chamoun', 'Fakhoury', 'Ibrahim', 'Jaber', 'Kassem', 'Merhi', 'Moussa', 'Rahal', 'Sabbagh', 'Shehadeh', 'Srour', 'Taha', 'Yassine', 'Zein', 'Dib', 'Hammoud', 'Awad', 'Baalbaki', 'Osman', 'Fares'],
};
