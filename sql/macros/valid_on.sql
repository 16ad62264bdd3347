-- Whether a version valid over the half-open span [valid_from, valid_to) (valid_to null:
-- still in force) is the one in force on `day`: how a business rule or a price-term version
-- is read on the date it governs.
--
-- macro: VALID_ON(day, valid_from, valid_to)
:valid_from <= :day AND (:valid_to IS NULL OR :day < :valid_to)
